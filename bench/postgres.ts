// The inbound SMS and week fan-out benchmarks on PostgreSQL, with one instance and with two instances sharing
// one database, beside SQLite measured in the same run. Needs BENCH_DATABASE_URL, a PostgreSQL server on which
// the benchmark creates its own databases and drops them afterwards; without it, one line says so. Prints a
// markdown section.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { copyDatabase } from '../src/store/copy.js';
import { type Db, openDatabase } from '../src/store/db.js';
import { openPostgresStore } from '../src/store/postgres/store.js';
import { openStore } from '../src/store/store.js';
import { BATCH, drainRelays, enqueueWeek, fanOut, rawRow, rawSqliteInsert } from './fanout-load.js';
import {
  type LoadResult,
  load,
  median,
  spread,
  startTarget,
  stopTarget,
  type Target,
} from './http-targets.js';
import {
  ANSWERING,
  type InboundOutcome,
  inboundOutcome,
  PATH,
  QUEUED,
  SECONDS,
  SLOW_TWILIO_MS,
  seedInbound,
  signedText,
  startService,
} from './inbound-load.js';
import { BENCH_ENV, TWILIO_TOKEN } from './seed.js';

const SERVER = process.env.BENCH_DATABASE_URL || undefined;
const RUNS = Number(process.env.BENCH_PG_RUNS ?? 2);
const CONNECTIONS = 50;
const FANOUT_ROWS = Number(process.env.BENCH_PG_FANOUT_ROWS ?? 11_000);
const FANOUT_FAMILIES = Math.round((FANOUT_ROWS * 10) / 11);
const RELAY_BUDGET_MS = Number(process.env.BENCH_PG_RELAY_BUDGET_MS ?? 10_000);
const PREFIX = `bench_pg_${process.pid}`;

const progress = (what: string) => console.error(`bench postgres: ${what}`);
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** The same server, another database. */
function urlOf(database: string): string {
  const url = new URL(SERVER!);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `fn` on a short-lived connection to `url` (default: the server's maintenance database). */
async function withClient<T>(fn: (client: pg.Client) => Promise<T>, url = SERVER!): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const created: string[] = [];
/** A new database on the server, a copy of `template` (a migrated, closed database) when given. */
async function createDatabase(name: string, template?: string): Promise<string> {
  await withClient((c) => c.query(`create database "${name}"${template ? ` template "${template}"` : ''}`));
  created.push(name);
  return urlOf(name);
}

async function dropDatabases(): Promise<void> {
  for (const name of created.splice(0))
    await withClient((c) => c.query(`drop database if exists "${name}" with (force)`)).catch(() => undefined);
}

/** The errors in a service's log (pino level ≥ 50, or a line that is not JSON): how many, the first distinct ones. */
function logErrors(path: string): { count: number; first: string[] } {
  if (!existsSync(path)) return { count: 0, first: [] };
  const errors: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim() || /^\s/.test(line)) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
      const err = typeof entry.err === 'string' ? entry.err : (entry.err as { message?: string })?.message;
      if ((entry.level ?? 0) >= 50) errors.push(`${entry.msg ?? ''}${err ? ` (${err})` : ''}`.slice(0, 300));
    } catch {
      errors.push(line.slice(0, 300));
    }
  }
  return { count: errors.length, first: [...new Set(errors)].slice(0, 3) };
}

/** One configuration under load: its processes, each taking an equal share of the connections. */
interface Setup {
  label: string;
  targets: Target[];
  logs: string[];
  outcome?: InboundOutcome;
  runs: LoadResult[];
  warmUp: number;
}

/** Loads every target of `setup` at once, connections split between them; their answers summed. */
async function loadSetup(setup: Setup, connections: number, seconds: number): Promise<LoadResult> {
  const each = await Promise.all(
    setup.targets.map((t) =>
      load({
        port: t.port,
        path: PATH,
        connections: Math.max(1, Math.round(connections / setup.targets.length)),
        seconds,
        request: signedText,
      }),
    ),
  );
  return {
    rps: each.reduce((n, r) => n + r.rps, 0),
    // Requests of all targets together: the slower instance's latencies bound the pair's.
    p50: Math.max(...each.map((r) => r.p50)),
    p99: Math.max(...each.map((r) => r.p99)),
    ok: each.reduce((n, r) => n + r.ok, 0),
    bad: each.reduce((n, r) => n + r.bad, 0),
  };
}

async function inbound(dir: string): Promise<{ lines: string[]; notes: string[] }> {
  progress('seeding the inbound database');
  const seeded = await seedInbound(dir);
  progress(`seeded in ${seeded.seconds} s; copying to PostgreSQL`);
  // The PostgreSQL database starts from the same seeded rows, copied engine to engine; the two-instance
  // database is a server-side copy of it.
  const copyT = performance.now();
  const one = `${PREFIX}_inbound_1`;
  const oneUrl = await createDatabase(one);
  const source = openStore(seeded.path);
  const target = await openPostgresStore(oneUrl);
  await copyDatabase(source, target);
  await source.close();
  await target.close();
  const twoUrl = await createDatabase(`${PREFIX}_inbound_2`, one);
  const copyS = ((performance.now() - copyT) / 1000).toFixed(1);

  const sqliteDb = join(dir, 'service.db');
  copyFileSync(seeded.path, sqliteDb);
  // BENCH_LOG_DIR keeps the services' logs after the run (they are in the temporary folder otherwise).
  const log = (name: string) => join(process.env.BENCH_LOG_DIR ?? dir, `${name}.log`);
  const setups: Setup[] = [];
  const add = async (label: string, starts: Array<() => Promise<Target>>, logs: string[]) => {
    setups.push({ label, targets: await Promise.all(starts.map((s) => s())), logs, runs: [], warmUp: 0 });
  };
  try {
    await add(
      'SQLite',
      [() => startService('SQLite', `file:${sqliteDb}`, { log: log('sqlite') })],
      [log('sqlite')],
    );
    await add(
      'PostgreSQL 1 instance',
      [() => startService('pg1', oneUrl, { log: log('pg1') })],
      [log('pg1')],
    );
    // Both instances start together, as a deployment rolls them out.
    await add(
      'PostgreSQL 2 instances',
      [
        () => startService('pg2a', twoUrl, { log: log('pg2a') }),
        () => startService('pg2b', twoUrl, { log: log('pg2b') }),
      ],
      [log('pg2a'), log('pg2b')],
    );
    await add(
      'hand-written Express + SQLite insert',
      [
        () =>
          startTarget('reference', ['bench/reference/express-twilio.mjs'], {
            DB_PATH: join(dir, 'reference.db'),
            TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
            PUBLIC_BASE_URL: BENCH_ENV.PUBLIC_BASE_URL,
          }),
      ],
      [],
    );
    progress('services started; settling');
    await new Promise((r) => setTimeout(r, Number(process.env.BENCH_SETTLE_MS ?? 15_000)));
    for (const s of setups) s.warmUp = (await loadSetup(s, 10, 2)).ok;
    for (let run = 0; run < RUNS; run++)
      for (const s of run % 2 === 0 ? setups : [...setups].reverse()) {
        progress(`inbound run ${run + 1}: ${s.label}`);
        s.runs.push(await loadSetup(s, CONNECTIONS, SECONDS));
      }
    progress('stopping the services');
  } finally {
    await Promise.all(setups.flatMap((s) => s.targets.map(stopTarget)));
  }

  const sqlite = new Database(sqliteDb, { readonly: true });
  setups[0]!.outcome = await inboundOutcome(async (q) => (sqlite.prepare(q).get() as { n: number }).n);
  sqlite.close();
  for (const [s, url] of [
    [setups[1]!, oneUrl],
    [setups[2]!, twoUrl],
  ] as const)
    s.outcome = await withClient(
      (c) => inboundOutcome(async (q) => Number((await c.query(q)).rows[0].n)),
      url,
    );

  const [service, pg1, pg2, reference] = setups as [Setup, Setup, Setup, Setup];
  const measured = [service, pg1, pg2];
  const rps = (s: Setup) => s.runs.map((r) => r.rps);
  const figure = (label: string, f: (s: Setup) => string, ref = '') => row([label, ...measured.map(f), ref]);
  const answered = (s: Setup) => s.runs.reduce((n, r) => n + r.ok, s.warmUp);
  const lines = [
    figure(
      `inbound SMS, ${CONNECTIONS} connections, req/s (median, spread)`,
      (s) => `${int(median(rps(s)))} (${spread(rps(s))})`,
      `hand-written ${int(median(rps(reference)))} (${spread(rps(reference))})`,
    ),
    figure(
      'same, p50 / p99 (ms, median of runs)',
      (s) => `${int(median(s.runs.map((r) => r.p50)))} / ${int(median(s.runs.map((r) => r.p99)))}`,
      `${int(median(reference.runs.map((r) => r.p50)))} / ${int(median(reference.runs.map((r) => r.p99)))}`,
    ),
    figure('non-2xx / errors', (s) => String(s.runs.reduce((n, r) => n + r.bad, 0)), ''),
    figure(
      'answered 200 / texts recorded / events processed',
      (s) => `${answered(s)} / ${s.outcome!.texts} / ${s.outcome!.events}`,
    ),
    figure('outbox after: sent / pending', (s) => `${s.outcome!.relaySent} / ${s.outcome!.pending}`),
    figure('start-up to /healthz', (s) => s.targets.map((t) => `${int(t.startupMs)} ms`).join(', ')),
    figure('errors in the service log', (s) => String(s.logs.reduce((n, l) => n + logErrors(l).count, 0))),
  ];
  const notes: string[] = [];
  for (const s of measured)
    for (const l of s.logs) {
      const { count, first } = logErrors(l);
      if (count > 0)
        notes.push(
          `${s.label} (${l.split('/').pop()}), ${count} errors, the first distinct ones: ${first.map((e) => `\`${e}\``).join('; ')}`,
        );
    }
  notes.unshift(
    `Inbound: ${ANSWERING} families mid-check-in texting while ${QUEUED} more families' check-in texts drain at the default rate (${SLOW_TWILIO_MS} ms Twilio API); seeded on SQLite in ${seeded.seconds} s and copied to PostgreSQL in ${copyS} s. ${RUNS} runs of ${SECONDS} s each, configurations alternated; two instances are two service processes on one database, each loaded with half the connections at the same time, their req/s summed and the slower one's latencies shown.`,
  );
  return { lines, notes };
}

interface FanOutFigures {
  enqueueMs: number;
  drain: { sent: number; distinct: number; ms: number };
  rows: number;
}

async function fanOutOn(stores: Db[], count: () => Promise<number>): Promise<FanOutFigures> {
  const t = performance.now();
  await enqueueWeek(stores, FANOUT_ROWS, FANOUT_FAMILIES);
  const enqueueMs = performance.now() - t;
  const rows = await count();
  const drain = await drainRelays(stores, RELAY_BUDGET_MS);
  return { enqueueMs, drain, rows };
}

async function fanOutSuite(dir: string): Promise<{ lines: string[]; notes: string[] }> {
  const template = `${PREFIX}_outbox`;
  const store = await openPostgresStore(await createDatabase(template));
  await store.close();

  progress('fan-out references');
  const t = performance.now();
  await rawSqliteInsert(join(dir, 'raw.db'), FANOUT_ROWS, FANOUT_FAMILIES);
  const rawSqliteMs = performance.now() - t;

  // The PostgreSQL reference: one prepared insert per row through pg, same batches, one connection.
  const rawUrl = await createDatabase(`${PREFIX}_outbox_raw`, template);
  const rawPgMs = await withClient(async (c) => {
    const start = performance.now();
    for (let from = 0; from < FANOUT_ROWS; from += BATCH) {
      await c.query('begin');
      for (let i = from; i < Math.min(FANOUT_ROWS, from + BATCH); i++)
        await c.query({
          name: 'raw_outbox_insert',
          text: `insert into outbox (id, idempotency_key, channel, recipient_kind, recipient_id, address, purpose,
                 locale, payload, body, urgent, status, not_before, attempts, created_at, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, false, 'pending', $11, 0, $12, $13)
                 on conflict do nothing`,
          values: rawRow(fanOut(i, FANOUT_FAMILIES)),
        });
      await c.query('commit');
    }
    return performance.now() - start;
  }, rawUrl);

  progress('fan-out on SQLite');
  const sqliteStore = openDatabase(join(dir, 'outbox.db'));
  const sqliteCheck = new Database(join(dir, 'outbox.db'), { readonly: true });
  const sqlite = await fanOutOn([sqliteStore], async () =>
    Number((sqliteCheck.prepare('select count(*) as n from outbox').get() as { n: number }).n),
  );
  sqliteCheck.close();
  await sqliteStore.close();

  const onPostgres = async (instances: number): Promise<FanOutFigures> => {
    const url = await createDatabase(`${PREFIX}_outbox_${instances}`, template);
    const stores = await Promise.all(
      Array.from({ length: instances }, () => openPostgresStore(url, { migrate: false })),
    );
    try {
      return await fanOutOn(stores, () =>
        withClient(async (c) => Number((await c.query('select count(*) as n from outbox')).rows[0].n), url),
      );
    } finally {
      for (const s of stores) await s.close();
    }
  };
  progress('fan-out on PostgreSQL, 1 instance');
  const pg1 = await onPostgres(1);
  progress('fan-out on PostgreSQL, 2 instances');
  const pg2 = await onPostgres(2);

  const rate = (n: number, ms: number) => int(n / (ms / 1000));
  const all = [sqlite, pg1, pg2];
  const lines = [
    row([
      `week fan-out, ${int(FANOUT_ROWS)} rows (OutboxRepository.enqueue, ${BATCH} a transaction), rows/s`,
      ...all.map((f) => `${rate(FANOUT_ROWS, f.enqueueMs)} (${(f.enqueueMs / 1000).toFixed(1)} s)`),
      `raw insert: better-sqlite3 ${rate(FANOUT_ROWS, rawSqliteMs)}, pg ${rate(FANOUT_ROWS, rawPgMs)}`,
    ]),
    row([
      'same, × raw insert of the same engine',
      ...all.map((f, i) => ((i === 0 ? rawSqliteMs : rawPgMs) / f.enqueueMs).toFixed(2)),
      '',
    ]),
    row(['outbox rows after the fan-out', ...all.map((f) => int(f.rows)), '']),
    row([
      `relay drain, instant transports (${RELAY_BUDGET_MS / 1000} s budget), msgs/s`,
      ...all.map(
        (f) =>
          `${rate(f.drain.sent, f.drain.ms)} (${int(f.drain.sent)} in ${(f.drain.ms / 1000).toFixed(1)} s)`,
      ),
      '',
    ]),
    row([
      'relay sends / distinct rows sent',
      ...all.map((f) => `${int(f.drain.sent)} / ${int(f.drain.distinct)}`),
      '',
    ]),
  ];
  return {
    lines,
    notes: [
      `Fan-out: two instances enqueue alternate batches of the same week at once, each on its own pool, then drain it with one relay each (claims with SKIP LOCKED); a row sent twice would show as more sends than distinct rows.`,
    ],
  };
}

async function main(): Promise<void> {
  if (!SERVER) {
    console.log(
      'PostgreSQL figures skipped: set BENCH_DATABASE_URL=postgres://user:password@host:5432/postgres (a server the benchmark may create and drop databases on) to measure them.',
    );
    return;
  }
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'postgres-bench-'));
  try {
    const inboundPart = await inbound(dir);
    await dropDatabases();
    const fanOutPart = await fanOutSuite(dir);
    console.log(`## SQLite and PostgreSQL, one and two instances

| figure | SQLite | PostgreSQL 1 instance | PostgreSQL 2 instances | reference |
| --- | --- | --- | --- | --- |
${[...inboundPart.lines, ...fanOutPart.lines].join('\n')}

${[...inboundPart.notes, ...fanOutPart.notes].join('\n\n')}`);
  } finally {
    await dropDatabases();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
