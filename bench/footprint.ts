// Start-up time to the first answer of /healthz and resident memory, the compiled service (`npm start`) beside
// the same source run through tsx (how `npm start` ran before), on an empty database in local mode (demo roster
// seeded at start). Runs alternate. Then the compiled service on a copy of a district's database
// (`BENCH_DISTRICT_STUDENTS`, default 60,000; 0 leaves it out), where the start-up planning of the week's
// timers runs in the background after /healthz answers. Prints a markdown section.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seedDistrict } from './district-seed.js';
import { median, rssMiB, spread, startTarget, stopTarget, type Target } from './http-targets.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DISTRICT_STUDENTS = Number(process.env.BENCH_DISTRICT_STUDENTS ?? 60_000);
/** Quiet: a whole window of probes with /healthz answering fast and the process using little CPU. */
const PROBE_MS = 100;
const QUIET_WINDOW = 10;
const QUIET_LATENCY_MS = 50;
const QUIET_CPU_SHARE = 0.1;
/** Probing stops here even if the service is still busy (it is then reported as busy). */
const BUSY_CAP_MS = Number(process.env.BENCH_BUSY_CAP_MS ?? 120_000);
const CLOCK_TICKS_PER_S = 100;
/** A /healthz probe unanswered this long counts as no answer. */
const PROBE_TIMEOUT_MS = 30_000;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Resident memory of a process and all its descendants (tsx runs the service in a child). */
function treeMiB(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const walk = (p: number) => {
    total += rssMiB(p) || 0;
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return total;
}

const VARIANTS = [
  { name: 'compiled: node dist/main.js', args: ['dist/main.js'] },
  { name: 'before: tsx src/main.ts', args: ['node_modules/tsx/dist/cli.mjs', 'src/main.ts'] },
];

async function main(): Promise<void> {
  const rows = new Map<string, { start: number[]; rss: number[]; tree: number[] }>();
  for (let run = 0; run < RUNS; run++)
    for (const v of run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      const dir = mkdtempSync(join(tmpdir(), 'footprint-'));
      try {
        const t = await startTarget(
          v.name,
          v.args,
          { DATABASE_URL: `file:${join(dir, 'f.db')}`, LOG_LEVEL: 'warn' },
          '/healthz',
        );
        // Settled: the demo seed and the first planning are done.
        await new Promise((r) => setTimeout(r, 2_000));
        const r = rows.get(v.name) ?? { start: [], rss: [], tree: [] };
        r.start.push(t.startupMs);
        r.tree.push(treeMiB(t.proc.pid!));
        // The service itself: the deepest node process of the tree (tsx's child), or the only one.
        const own = readdirSync('/proc')
          .filter((e) => /^\d+$/.test(e))
          .map(Number)
          .filter((p) => {
            try {
              const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
              return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === t.proc.pid;
            } catch {
              return false;
            }
          })
          .map((p) => rssMiB(p))
          .filter((x) => x > 30);
        r.rss.push(Math.max(rssMiB(t.proc.pid), ...own));
        rows.set(v.name, r);
        await stopTarget(t);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  const lines = [
    '| how it runs | start-up to /healthz | service RSS | RSS of all its processes |',
    '| --- | --- | --- | --- |',
  ];
  for (const [name, r] of rows)
    lines.push(
      `| ${name} | ${Math.round(median(r.start))} ms (${spread(r.start)}) | ${Math.round(median(r.rss))} MiB | ${Math.round(median(r.tree))} MiB |`,
    );
  console.log(`## Footprint

Empty database in local mode (the demo roster is seeded at start), median of ${RUNS} runs alternated (spread in
brackets); memory read 2 s after /healthz first answered. Load average ${load()}.

${lines.join('\n')}${DISTRICT_STUDENTS > 0 ? `\n\n${await district()}` : ''}`);
}

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

async function healthzMs(port: number): Promise<number> {
  const t0 = performance.now();
  try {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await r.arrayBuffer();
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  return performance.now() - t0;
}

interface Watched {
  /** From the start of watching to the start of the first quiet window; NaN when never quiet. */
  busyMs: number;
  worstHealthzMs: number;
  rss2s: number;
  rssEnd: number;
  rssPeak: number;
  /** CPU time the process used while watched. */
  cpuMs: number;
}

interface DistrictRun {
  startupMs: number;
  /** After /healthz first answered: the start-up planning. */
  planning: Watched;
  /** Timers finished (fired or skipped) by the time planning was quiet: a minute tick that came meanwhile. */
  finishedByQuiet: number;
  /** The first minute tick after planning was quiet: it catches up the due timers. */
  tick: Watched;
  finishedByTick: number;
  timers: Map<string, number>;
  /** Pending timers already due when the service stopped: the catch-up left to later ticks. */
  due: number;
  demoImport: string;
}

/**
 * Probes /healthz every PROBE_MS (latency, CPU time, RSS) until a window of QUIET_WINDOW probes is quiet, and
 * not before `minMs`.
 */
async function watch(t: Target, minMs: number): Promise<Watched> {
  const pid = t.proc.pid!;
  const t0 = performance.now();
  const cpu0 = cpuMs(pid);
  const samples: { at: number; latency: number; cpu: number; rss: number }[] = [];
  let rss2s = Number.NaN;
  let quietAt = -1;
  while (performance.now() - t0 < BUSY_CAP_MS) {
    const next = performance.now() + PROBE_MS;
    const latency = await healthzMs(t.port);
    const at = performance.now() - t0;
    samples.push({ at, latency, cpu: cpuMs(pid), rss: rssMiB(pid) });
    if (Number.isNaN(rss2s) && at >= 2_000) rss2s = samples.at(-1)!.rss;
    const w = samples.slice(-QUIET_WINDOW);
    if (samples.length > QUIET_WINDOW && at >= minMs) {
      const cpuShare = (w.at(-1)!.cpu - samples.at(-QUIET_WINDOW - 1)!.cpu) / (w.at(-1)!.at - w[0]!.at);
      if (w.every((s) => s.latency < QUIET_LATENCY_MS) && cpuShare < QUIET_CPU_SHARE) {
        quietAt = samples.length - QUIET_WINDOW;
        break;
      }
    }
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const busy = quietAt < 0 ? samples : samples.slice(0, quietAt);
  return {
    busyMs: quietAt < 0 ? Number.NaN : samples[quietAt]!.at,
    worstHealthzMs: Math.max(0, ...busy.map((s) => s.latency)),
    rss2s,
    rssEnd: samples.at(-1)!.rss,
    rssPeak: Math.max(...samples.map((s) => s.rss)),
    cpuMs: samples.at(-1)!.cpu - cpu0,
  };
}

/** Reads the database of a running (or stopped) service from this process, read-only. */
function readOnly<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const finishedTimers = (path: string) =>
  readOnly(
    path,
    (db) =>
      (db.prepare(`select count(*) as n from timers where status <> 'pending'`).get() as { n: number }).n,
  );

async function districtRun(seeded: string): Promise<DistrictRun> {
  const dir = mkdtempSync(join(tmpdir(), 'footprint-district-'));
  try {
    const path = join(dir, 'district.db');
    // The seed is checkpointed, so the main file is the whole database.
    copyFileSync(seeded, path);
    const log = join(dir, 'service.log');
    const t = await startTarget(
      'district',
      ['dist/main.js'],
      { DATABASE_URL: `file:${path}`, LOG_LEVEL: 'info' },
      '/healthz',
      undefined,
      log,
    );
    let planning: Watched;
    let tick: Watched;
    let finishedByQuiet: number;
    let finishedByTick: number;
    try {
      planning = await watch(t, 2_000);
      finishedByQuiet = finishedTimers(path);
      // The due-timer tick runs at every full minute (node-cron, '* * * * *').
      await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 200));
      tick = await watch(t, 2_000);
      finishedByTick = finishedTimers(path) - finishedByQuiet;
    } finally {
      await stopTarget(t);
    }
    return readOnly(path, (db) => {
      const timers = new Map(
        (
          db.prepare('select status, count(*) as n from timers group by status').all() as {
            status: string;
            n: number;
          }[]
        ).map((r) => [r.status, r.n]),
      );
      const { n: due } = db
        .prepare(`select count(*) as n from timers where status = 'pending' and fire_at <= ?`)
        .get(Date.now()) as { n: number };
      const demo = readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"demo roster ready"'))
        .map((l) => JSON.parse(l) as { created: number; unchanged: number })[0];
      return {
        startupMs: t.startupMs,
        planning,
        finishedByQuiet,
        tick,
        finishedByTick,
        timers,
        due,
        demoImport: demo ? `${demo.created} created, ${demo.unchanged} unchanged` : 'not logged',
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function district(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'footprint-seed-'));
  try {
    const path = join(dir, 'district.db');
    const seeded = await seedDistrict(path, DISTRICT_STUDENTS);
    for (const extra of ['-wal', '-shm'])
      if (existsSync(`${path}${extra}`)) throw new Error(`district seed left ${path}${extra} behind`);
    const runs: DistrictRun[] = [];
    for (let run = 0; run < RUNS; run++) {
      console.error(`footprint: district run ${run + 1} of ${RUNS} (load ${load()})`);
      runs.push(await districtRun(path));
    }
    const col = (f: (r: DistrictRun) => number, unit: string, digits = 0) => {
      const xs = runs.map(f);
      const fmt = (x: number) =>
        Number.isFinite(x) ? x.toFixed(digits) : `no answer in ${PROBE_TIMEOUT_MS / 1000} s`;
      return xs.some((x) => Number.isNaN(x))
        ? `not quiet within ${BUSY_CAP_MS / 1000} s in ${xs.filter((x) => Number.isNaN(x)).length} run(s)`
        : `${fmt(median(xs))} ${unit} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
    };
    const statuses = [...new Set(runs.flatMap((r) => [...r.timers.keys()]))].sort();
    const timers = statuses
      .map((s) => `${s} ${Math.round(median(runs.map((r) => r.timers.get(s) ?? 0)))}`)
      .join(', ');
    const quiet = `${QUIET_WINDOW} probes in a row answer under ${QUIET_LATENCY_MS} ms at under ${QUIET_CPU_SHARE * 100} % CPU`;
    const lines = [
      '| measure | median (spread) |',
      '| --- | --- |',
      `| start-up to /healthz | ${col((r) => r.startupMs, 'ms')} |`,
      `| service RSS 2 s after /healthz | ${col((r) => r.planning.rss2s, 'MiB')} |`,
      `| start-up planning: busy after /healthz until quiet (${quiet}) | ${col((r) => r.planning.busyMs / 1000, 's', 1)} |`,
      `| start-up planning: slowest /healthz answer | ${col((r) => r.planning.worstHealthzMs, 'ms')} |`,
      `| start-up planning: CPU time | ${col((r) => r.planning.cpuMs / 1000, 's', 1)} |`,
      `| start-up planning: service RSS at its peak, when quiet | ${col((r) => r.planning.rssPeak, 'MiB')}, ${col((r) => r.planning.rssEnd, 'MiB')} |`,
      `| timers a minute tick finished while planning ran | ${col((r) => r.finishedByQuiet, 'timers')} |`,
      `| first minute tick after planning: busy until quiet | ${col((r) => r.tick.busyMs / 1000, 's', 1)} |`,
      `| first minute tick: slowest /healthz answer | ${col((r) => r.tick.worstHealthzMs, 'ms')} |`,
      `| first minute tick: CPU time, timers finished | ${col((r) => r.tick.cpuMs / 1000, 's', 1)}, ${col((r) => r.finishedByTick, 'timers')} |`,
      `| first minute tick: service RSS at its peak | ${col((r) => r.tick.rssPeak, 'MiB')} |`,
      `| timers in the database after stop, by status | ${timers} |`,
      `| of them pending and already due (left to later ticks) | ${col((r) => r.due, 'timers')} |`,
    ];
    return `### With a district's roster

${DISTRICT_STUDENTS.toLocaleString('en-US')} students, one guardian each (SMS number and roster consent), ${seeded.navigators.toLocaleString('en-US')} navigators, ${seeded.schools} schools (seeded through the roster repositories in ${seeded.seconds.toFixed(0)} s, plus the demo roster, whose import at start then changes nothing: ${runs[0]!.demoImport}).
The compiled service on a copy of that database, ${RUNS} runs, /healthz probed every ${PROBE_MS} ms; today (${new Date().toISOString().slice(0, 10)}, a ${new Date().toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' })}) decides how much of the current week is already due. Load average at the end ${load()}.

${lines.join('\n')}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
