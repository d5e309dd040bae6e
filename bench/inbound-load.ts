// The pieces of the inbound SMS benchmark that its SQLite and PostgreSQL runs share: the signed texts families
// send, the seeded database, the service started on a database, and what the database holds afterwards.
import { join, resolve } from 'node:path';
import twilio from 'twilio';
import { startTarget, type Target } from './http-targets.js';
import { afternoonZone, BENCH_ENV, phoneOf, seed, TWILIO_TOKEN } from './seed.js';

export const ANSWERING = Number(process.env.BENCH_FAMILIES ?? 1_000);
export const QUEUED = Number(process.env.BENCH_QUEUED ?? 1_000);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
export const RUNS = Number(process.env.BENCH_RUNS ?? 3);
export const RATE = Number(process.env.BENCH_RATE ?? 200);
// The latency goal: p99 under 50 ms at this rate offered over kept-alive connections.
export const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 500);
export const SLOW_TWILIO_MS = process.env.SLOW_TWILIO_MS ?? '150';
export const PATH = '/sms/inbound';
const URL_SIGNED = `${BENCH_ENV.PUBLIC_BASE_URL}${PATH}`;
// Answers a family check-in reads (a rating, a choice), and a sentence it keeps for the navigator.
const BODIES = ['3', '2', 'yes', '1', 'we need help with the bus pass this week'];

let sent = 0;
/** The next family's text, signed as Twilio signs it, with a MessageSid never sent before. */
export function signedText(): { body: string; headers: Record<string, string> } {
  const i = sent++;
  const params: Record<string, string> = {
    AccountSid: BENCH_ENV.TWILIO_ACCOUNT_SID,
    MessageSid: `SM${process.pid}${String(i).padStart(24, '0')}`,
    From: phoneOf(i % ANSWERING),
    To: '+16155550000',
    Body: BODIES[Math.floor(i / ANSWERING) % BODIES.length]!,
    NumMedia: '0',
  };
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_TOKEN, URL_SIGNED, params),
    },
  };
}

/** Seeds `dir`/seeded.db with the answering and queued families; returns its path and the seconds it took. */
export async function seedInbound(dir: string): Promise<{ path: string; seconds: string }> {
  const path = join(dir, 'seeded.db');
  const t = performance.now();
  await seed(path, ANSWERING, QUEUED);
  return { path, seconds: ((performance.now() - t) / 1000).toFixed(1) };
}

/**
 * The compiled service on `databaseUrl` (a file: or postgres:// URL), Twilio's API answered slowly in-process.
 * With `log`, its JSON log goes to that file.
 */
export function startService(
  name: string,
  databaseUrl: string,
  options: { cwd?: string; log?: string } = {},
): Promise<Target> {
  return startTarget(
    name,
    [
      // BENCH_CPU_PROF=<dir>: a CPU profile of the service under this load, written when it stops.
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      '--import',
      resolve('bench/fixtures/slow-twilio.mjs'),
      'dist/main.js',
    ],
    {
      ...BENCH_ENV,
      DATABASE_URL: databaseUrl,
      DEFAULT_TIMEZONE: afternoonZone(),
      LOG_LEVEL: 'info',
      SLOW_TWILIO_MS,
    },
    '/healthz',
    options.cwd,
    options.log,
  );
}

/** What the service left in its database after the load. */
export interface InboundOutcome {
  texts: number;
  events: number;
  relaySent: number;
  pending: number;
}

/** Reads the outcome with `count`, which runs a `select count(*) as n …` (plain SQL valid on both engines). */
export async function inboundOutcome(count: (query: string) => Promise<number>): Promise<InboundOutcome> {
  return {
    texts: await count('select count(*) as n from family_texts'),
    events: await count(`select count(*) as n from inbound_events where status = 'processed'`),
    relaySent: await count('select count(*) as n from outbox where provider_message_id is not null'),
    pending: await count(`select count(*) as n from outbox where status = 'pending'`),
  };
}
