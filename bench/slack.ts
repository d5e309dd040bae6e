// Slack interactions: signed block_actions payloads (a navigator pressing an answer button on a check-in card)
// posted to the running service's /slack/events at 50 connections, beside a bare Bolt app that only
// acknowledges, same machine, same run, runs alternated. The service is the compiled one (dist/main.js) in its
// own process; Slack's Web API is a plain HTTP server in another (fixtures/slack-api.mjs), reached through
// SLACK_API_URL. Each click answers the question its navigator's newest card asks (read from the service's
// database), so it advances a real check-in; a click that loses the race with the navigator's previous one is
// answered as a stale card, as Slack's would be. Load comes from this process (autocannon). Prints markdown.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { buildService } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { systemClock, uuid } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { openDatabase } from '../src/store/db.js';
import { RosterRepository } from '../src/store/repositories/roster.js';
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
import { afternoonZone } from './seed.js';

const NAVIGATORS = Number(process.env.BENCH_NAVIGATORS ?? 500);
const STUDENTS_EACH = 4;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PATH = '/slack/events';
const SECRET = 'bench-slack-signing-secret';
const SLACK_ENV = { SLACK_BOT_TOKEN: 'xoxb-bench-token', SLACK_SIGNING_SECRET: SECRET };
/** Choices the engine adds to any question; a click picks a real answer when the card offers one. */
const SPECIAL = new Set(['skip', 'idea']);

const userOf = (n: number) => `UNAV${String(n).padStart(5, '0')}`;

/** A school, navigators known to Slack with a few students each, and every navigator's check-in started. */
async function seed(path: string, apiUrl: string): Promise<void> {
  const zone = afternoonZone();
  const config = loadConfig({
    ...SLACK_ENV,
    SLACK_API_URL: apiUrl,
    DATABASE_URL: `file:${path}`,
    DEFAULT_TIMEZONE: zone,
  });
  const db = openDatabase(config.databasePath);
  const ctx: AppContext = {
    config,
    db,
    logger: createLogger({ level: 'silent' }),
    clock: systemClock,
    ids: uuid,
  };
  const by = { actor: 'bench', at: Date.now() };
  await db.transaction(async (tx) => {
    const roster = new RosterRepository(tx);
    await roster.upsertSchool({ id: 'sch-1', name: 'Bench Middle School', timezone: zone }, by);
    for (let n = 0; n < NAVIGATORS; n++) {
      await roster.upsertStaff(
        {
          id: `nav-${n}`,
          schoolId: 'sch-1',
          name: `Navigator ${n}`,
          email: `nav${n}@example.org`,
          role: 'navigator',
          slackUserId: userOf(n),
          teamsUserId: null,
          timezone: zone,
          locale: 'en',
        },
        by,
      );
      for (let s = 0; s < STUDENTS_EACH; s++) {
        const id = `st-${n}-${s}`;
        await roster.upsertStudent(
          { id, schoolId: 'sch-1', firstName: `Student${s}`, lastName: `Bench${n}`, grade: '7' },
          by,
        );
        await roster.assignNavigator(id, `nav-${n}`, by);
      }
    }
  });
  const service = await buildService(ctx, { calendarFile: 'config/none.json' });
  for (let n = 0; n < NAVIGATORS; n++) {
    const started = await service.checkins.startNavigator(`nav-${n}`);
    if (!started.ok) throw new Error(`bench seed: navigator check-in did not start (${started.problem})`);
  }
  await db.close();
}

interface Card {
  sid: string;
  step: string;
  st?: string;
  choices: string[];
}

/** Signed block_actions payloads; the service's cards are read from its database, read-only. */
function clicks(dbPath: string | null) {
  const db = dbPath ? new Database(dbPath, { readonly: true, fileMustExist: true }) : null;
  const newest = db?.prepare(
    `select payload, origin from outbox where recipient_id = ? and channel = 'slack'
       and json_extract(origin, '$.sessionId') is not null order by created_at desc, rowid desc limit 1`,
  );
  let i = 0;
  const card = (navigator: number): Card => {
    const row = newest?.get(`nav-${navigator}`) as { payload: string; origin: string } | undefined;
    if (!row) return { sid: 'none', step: 'none', choices: ['1'] };
    const payload = JSON.parse(row.payload) as { choices?: Array<{ id: string }> };
    const origin = JSON.parse(row.origin) as { sessionId: string; stepId: string; studentId?: string };
    return {
      sid: origin.sessionId,
      step: origin.stepId,
      ...(origin.studentId ? { st: origin.studentId } : {}),
      choices: (payload.choices ?? []).map((c) => c.id),
    };
  };
  return {
    close: () => db?.close(),
    next(): { body: string; headers: Record<string, string> } {
      const n = i++ % NAVIGATORS;
      const c = card(n);
      const real = c.choices.filter((id) => !SPECIAL.has(id));
      const choice = real[Math.floor(i / NAVIGATORS) % Math.max(1, real.length)] ?? c.choices[0] ?? '1';
      const user = userOf(n);
      const payload = {
        type: 'block_actions',
        team: { id: 'T1' },
        api_app_id: 'A1',
        user: { id: user },
        trigger_id: `trig${i}`,
        channel: { id: `D${user}` },
        actions: [
          {
            action_id: 'checkin.choice',
            block_id: 'answer',
            type: 'button',
            value: JSON.stringify({ sid: c.sid, step: c.step, ...(c.st ? { st: c.st } : {}), c: choice }),
            action_ts: `${i}.1`,
          },
        ],
      };
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const ts = Math.floor(Date.now() / 1000);
      const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
      return {
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signature,
        },
      };
    },
  };
}

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const ms = (x: number) => `${Math.round(x)} ms`;

async function main(): Promise<void> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'slack-bench-'));
  const targets: Target[] = [];
  let api: Target | undefined;
  const serviceDb = join(dir, 'service.db');
  const readers: Array<{ close(): void }> = [];
  try {
    api = await startTarget('Slack Web API stand-in', [resolve('bench/fixtures/slack-api.mjs')], {});
    const apiUrl = `http://127.0.0.1:${api.port}/api/`;
    const seedT = performance.now();
    await seed(serviceDb, apiUrl);
    const seedS = ((performance.now() - seedT) / 1000).toFixed(1);
    const service = await startTarget(
      'this service (navigator check-ins advanced)',
      // BENCH_CPU_PROF=<dir>: a CPU profile of the service under this load, written when it stops.
      [
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        'dist/main.js',
      ],
      {
        ...SLACK_ENV,
        SLACK_API_URL: apiUrl,
        DATABASE_URL: `file:${serviceDb}`,
        DEFAULT_TIMEZONE: afternoonZone(),
        LOG_LEVEL: 'warn',
      },
      '/healthz',
    );
    targets.push(service);
    targets.push(
      await startTarget('bare Bolt app, acknowledges only', ['bench/reference/bolt-ack.mjs'], {
        SLACK_SIGNING_SECRET: SECRET,
      }),
    );
    const forService = clicks(serviceDb);
    const forReference = clicks(null);
    readers.push(forService, forReference);
    const requestFor = (t: Target) => (t === service ? forService.next : forReference.next);

    // The relay sends the first cards and start-up work finishes before anything is measured; each target
    // serves a short untimed burst first.
    await new Promise((r) => setTimeout(r, Number(process.env.BENCH_SETTLE_MS ?? 5_000)));
    for (const t of targets)
      await load({ port: t.port, path: PATH, connections: 10, seconds: 2, request: requestFor(t) });
    const results = new Map<string, LoadResult[]>();
    for (let run = 0; run < RUNS; run++)
      for (const t of run % 2 === 0 ? targets : [...targets].reverse()) {
        const r = await load({
          port: t.port,
          path: PATH,
          connections: 50,
          seconds: SECONDS,
          request: requestFor(t),
        });
        results.set(t.name, [...(results.get(t.name) ?? []), r]);
      }
    const rss = targets.map((t) => rssMiB(t.proc.pid));
    // The work started after each acknowledgement finishes before the database is read.
    await new Promise((r) => setTimeout(r, 3_000));
    const reference = median(results.get(targets[1]!.name)!.map((r) => r.rps));
    const lines = [
      row(['what', 'req/s', '× bare Bolt', 'p50 ack', 'p99 ack', 'non-2xx/errors']),
      row(['---', '---', '---', '---', '---', '---']),
    ];
    for (const t of targets) {
      const rs = results.get(t.name)!;
      const rps = rs.map((r) => r.rps);
      lines.push(
        row([
          t.name,
          `${Math.round(median(rps))} (${spread(rps)})`,
          (median(rps) / reference).toFixed(2),
          ms(median(rs.map((r) => r.p50))),
          `${ms(median(rs.map((r) => r.p99)))} (${spread(rs.map((r) => r.p99))})`,
          rs.reduce((n, r) => n + r.bad, 0),
        ]),
      );
    }
    for (const t of targets) await stopTarget(t);
    const check = new Database(serviceDb, { readonly: true });
    const count = (q: string) => (check.prepare(q).get() as { n: number }).n;
    const answers = count(
      `select count(*) as n from answers a join checkins c on c.id = a.checkin_id where c.kind = 'navigator'`,
    );
    const cards = count(`select count(*) as n from outbox where channel = 'slack'`);
    const sentCards = count(`select count(*) as n from outbox where channel = 'slack' and status = 'sent'`);
    check.close();
    const answered = [...results.get(service.name)!].reduce((n, r) => n + r.ok, 0);
    console.log(`## Slack interactions

${NAVIGATORS} navigators mid-check-in (${STUDENTS_EACH} students each) pressing answer buttons: signed block_actions
payloads, 50 connections, as fast as acknowledged (${SECONDS} s a run), Slack's Web API answered at once by a
separate local server (seeded in ${seedS} s). Latency is the time to Bolt's acknowledgement; the check-in step
runs after it. Resident memory after the load: ${targets.map((t, i) => `${t.name.split(' (')[0]} ${Math.round(rss[i]!)} MiB`).join(', ')}.

**50 connections** (median of ${RUNS} runs, spread in brackets)

${lines.join('\n')}

Acknowledged by the service (timed runs): ${answered}; navigator answers recorded: ${answers}; Slack messages
queued: ${cards}, sent: ${sentCards}.`);
  } finally {
    for (const r of readers) r.close();
    for (const t of targets) await stopTarget(t);
    if (api) await stopTarget(api);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
