// Inbound SMS during a weekly send-out, beside the webhook a district would write by hand and bare Node http,
// same machine, same run, runs alternated. The service is the compiled one (dist/main.js) in its own process,
// with Twilio's API answered slowly in-process (fixtures/slow-twilio.mjs) while its relay drains the queued
// check-in texts at the default rate. Load comes from this process (autocannon). Prints a markdown section.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildBefore } from './before.js';
import {
  type LoadResult,
  load,
  median,
  rssMiB,
  spread,
  startTarget,
  stopTarget,
  type Target,
} from './http-targets.js';
import {
  ANSWERING,
  inboundOutcome,
  PATH,
  QUEUED,
  RATE,
  RUNS,
  SECONDS,
  SLOW_TWILIO_MS,
  STEADY_RATE,
  seedInbound,
  signedText,
  startService,
} from './inbound-load.js';
import { BENCH_ENV, TWILIO_TOKEN } from './seed.js';

// An earlier commit to load beside this build in the same run (before/after), e.g. BENCH_BEFORE_REF=f052340.
const BEFORE = process.env.BENCH_BEFORE_REF;

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const ms = (x: number) => `${Math.round(x)} ms`;

async function main(): Promise<void> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'inbound-bench-'));
  const targets: Target[] = [];
  try {
    const serviceDb = join(dir, 'service.db');
    const seeded = await seedInbound(dir);
    const seedS = seeded.seconds;
    const serviceAt = (name: string, db: string, cwd?: string) => {
      copyFileSync(seeded.path, db);
      return startService(name, `file:${db}`, cwd ? { cwd } : {});
    };
    const service = await serviceAt('this service (check-ins advanced, send-out draining)', serviceDb);
    targets.push(service);
    targets.push(
      await startTarget(
        'hand-written Express + twilio.webhook() + one SQLite insert',
        ['bench/reference/express-twilio.mjs'],
        {
          DB_PATH: join(dir, 'reference.db'),
          TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
          PUBLIC_BASE_URL: BENCH_ENV.PUBLIC_BASE_URL,
        },
      ),
    );
    targets.push(await startTarget('bare Node http, empty TwiML', ['bench/reference/bare-http.mjs'], {}));
    if (BEFORE)
      targets.push(
        await serviceAt(`this service at ${BEFORE} (before)`, join(dir, 'before.db'), buildBefore(BEFORE)),
      );

    // Start-up work (planning the week, catching up timers) finishes before anything is measured, and each
    // target serves a short untimed burst first.
    await new Promise((r) => setTimeout(r, Number(process.env.BENCH_SETTLE_MS ?? 15_000)));
    let warmUp = 0;
    for (const t of targets) {
      const r = await load({ port: t.port, path: PATH, connections: 10, seconds: 2, request: signedText });
      if (t === service) warmUp = r.ok;
    }
    const phases = [
      {
        key: 'max',
        label: `50 connections, as fast as answered (${SECONDS} s)`,
        rate: undefined,
        fresh: false,
      },
      {
        key: 'steady',
        label: `50 kept-alive connections at ${STEADY_RATE} req/s offered (open loop)`,
        rate: STEADY_RATE,
        fresh: false,
      },
      { key: 'fresh', label: `new connection per request at ${RATE} req/s offered`, rate: RATE, fresh: true },
    ] as const;
    const results = new Map<string, LoadResult[]>();
    for (const phase of phases)
      for (let run = 0; run < RUNS; run++)
        for (const t of run % 2 === 0 ? targets : [...targets].reverse()) {
          const r = await load({
            port: t.port,
            path: PATH,
            connections: 50,
            seconds: SECONDS,
            request: signedText,
            ...(phase.rate ? { rate: phase.rate } : {}),
            newConnectionEach: phase.fresh,
            openLoop: phase.rate !== undefined,
          });
          const key = `${phase.key}|${t.name}`;
          results.set(key, [...(results.get(key) ?? []), r]);
        }
    const rss = targets.map((t) => rssMiB(t.proc.pid));
    const lines: string[] = [];
    const reference = median(results.get(`max|${targets[1]!.name}`)!.map((r) => r.rps));
    for (const phase of phases) {
      lines.push('', `**${phase.label}** (median of ${RUNS} runs, spread in brackets)`, '');
      lines.push(row(['what', 'req/s', '× hand-written', 'p50', 'p99', 'non-2xx/errors']));
      lines.push(row(['---', '---', '---', '---', '---', '---']));
      for (const t of targets) {
        const rs = results.get(`${phase.key}|${t.name}`)!;
        const rps = rs.map((r) => r.rps);
        lines.push(
          row([
            t.name,
            `${Math.round(median(rps))} (${spread(rps)})`,
            phase.key === 'max' ? (median(rps) / reference).toFixed(2) : '',
            ms(median(rs.map((r) => r.p50))),
            `${ms(median(rs.map((r) => r.p99)))} (${spread(rs.map((r) => r.p99))})`,
            rs.reduce((n, r) => n + r.bad, 0),
          ]),
        );
      }
    }
    const answered = [...results]
      .filter(([k]) => k.endsWith(`|${service.name}`))
      .flatMap(([, rs]) => rs)
      .reduce((n, r) => n + r.ok, warmUp);
    for (const t of targets) await stopTarget(t);
    const check = new Database(serviceDb, { readonly: true });
    const { texts, events, relaySent, pending } = await inboundOutcome(
      async (q) => (check.prepare(q).get() as { n: number }).n,
    );
    check.close();
    console.log(`## Inbound SMS during a weekly send-out

${ANSWERING} families mid-check-in texting (signed, unique MessageSid, answers and sentences), ${QUEUED} more
families' check-in texts queued for the relay at the default rate with a ${SLOW_TWILIO_MS} ms
Twilio API (seeded in ${seedS} s). Resident memory after the load: ${targets
      .map((t, i) => `${t.name.split(' (')[0]} ${Math.round(rss[i]!)} MiB`)
      .join(', ')}.
${lines.join('\n')}

Answered 200 by the service (warm-up included): ${answered}; family_texts rows: ${texts}; inbound events
processed: ${events} (each text recorded once and handled before the answer; a request still in flight when a
phase's clock ran out is recorded without being counted as answered). Outbox after the run: ${relaySent} sent, ${pending}
pending. Service start-up to /healthz with this database: ${targets
      .filter((t) => t.name.startsWith('this service'))
      .map((t) => `${Math.round(t.startupMs)} ms (${t.name.includes('before') ? 'before' : 'now'})`)
      .join(', ')}.`);
  } finally {
    for (const t of targets) await stopTarget(t);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
