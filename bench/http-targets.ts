// Starting a server under benchmark in its own process and loading it from this one with autocannon: free
// ports, readiness, resident memory, and one load run reduced to req/s, p50 and p99.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

export interface Target {
  name: string;
  proc: ChildProcess;
  port: number;
  /** Milliseconds from spawn to the first answer of its readiness URL. */
  startupMs: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node args` with `env` and waits until GET `ready` answers (any status below 500). With `log`, the
 * target's stdout (its JSON log) is appended to that file, to be read for errors after the run.
 */
export async function startTarget(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready = '/',
  cwd?: string,
  log?: string,
): Promise<Target> {
  const port = await freePort();
  const t0 = performance.now();
  const logFd = log ? openSync(log, 'a') : undefined;
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port) },
    ...(cwd ? { cwd } : {}),
    stdio: ['ignore', logFd ?? (process.env.BENCH_CHILD_LOG ? 'inherit' : 'ignore'), 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    if (log) appendFileSync(log, d);
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited at start-up: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`${name} did not answer within 60 s: ${stderr}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}${ready}`);
      await r.arrayBuffer();
      if (r.status < 500) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { name, proc, port, startupMs: performance.now() - t0 };
}

export async function stopTarget(t: Target): Promise<void> {
  if (t.proc.exitCode !== null) return;
  const exited = new Promise((r) => t.proc.once('exit', r));
  t.proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  if (t.proc.exitCode === null) t.proc.kill('SIGKILL');
}

/** Resident memory of a process in MiB (Linux /proc), or NaN elsewhere. */
export function rssMiB(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  bad: number;
}

export interface LoadOptions {
  port: number;
  path: string;
  connections: number;
  seconds: number;
  /** Requests per second offered across all connections (none: as fast as answered). */
  rate?: number;
  /** A new TCP connection for every request, as Twilio calls a webhook. */
  newConnectionEach?: boolean;
  /** Requests leave on a fixed schedule at `rate` over `connections` kept-alive connections (open loop). */
  openLoop?: boolean;
  /** Builds each request's body and headers. */
  request: () => { body: string; headers: Record<string, string> };
}

export async function load(o: LoadOptions): Promise<LoadResult> {
  if (o.newConnectionEach || o.openLoop) return openLoop(o);
  const result = await autocannon({
    url: `http://127.0.0.1:${o.port}${o.path}`,
    connections: o.connections,
    duration: o.seconds,
    method: 'POST',
    ...(o.rate ? { overallRate: o.rate } : {}),
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const { body, headers } = o.request();
          return { ...req, method: 'POST', body, headers: { ...(req.headers as object), ...headers } };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Open-loop load: requests leave on a fixed schedule whatever the answers, and each latency counts from its
 * scheduled time, so a slow server cannot hide its queue (autocannon's overallRate waits for a free
 * connection and starts the clock then). Either a new TCP connection per request (autocannon's reconnectRate
 * drops the responses it reconnects after) or `connections` kept-alive ones.
 */
async function openLoop(o: LoadOptions): Promise<LoadResult> {
  const rate = o.rate ?? 100;
  const agent = o.newConnectionEach ? false : new HttpAgent({ keepAlive: true, maxSockets: o.connections });
  const total = Math.round(rate * o.seconds);
  const latencies: number[] = [];
  let bad = 0;
  const t0 = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const lag = due - performance.now();
    if (lag > 1) await new Promise((r) => setTimeout(r, lag));
    const { body, headers } = o.request();
    pending.push(
      new Promise<void>((resolve) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: o.port,
            path: o.path,
            method: 'POST',
            agent,
            headers: {
              ...headers,
              'content-length': Buffer.byteLength(body),
              ...(o.newConnectionEach ? { connection: 'close' } : {}),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode && res.statusCode < 300) latencies.push(performance.now() - due);
              else bad += 1;
              resolve();
            });
          },
        );
        req.setTimeout(30_000, () => req.destroy());
        req.on('error', () => {
          bad += 1;
          resolve();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(pending);
  if (agent) agent.destroy();
  const elapsed = (performance.now() - t0) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), ok: latencies.length, bad };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)]!;
};
export const spread = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
