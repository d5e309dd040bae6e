import { HttpResponse, http } from 'msw';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { Db } from '../../src/store/db.js';
import { type NewOutboxMessage, OutboxRepository, outboxKey } from '../../src/store/repositories/outbox.js';
import { guardians, schools } from '../../src/store/schema/index.js';

export const API_URL = 'https://api.test.local/messages';

/** A context on `db` with a movable clock, sequential ids and a logger whose lines the test can read. */
export function testContext(db: Db, start: number, env: Record<string, string> = {}) {
  const clock = fixedClock(start);
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => logLines.push(s) } });
  const ctx: AppContext = { config: loadConfig(env), db, logger, clock, ids: sequentialIds('x') };
  return { ctx, clock, logLines };
}

let n = 0;
/** An outbox message with sensible defaults; override what the test is about. */
export function message(overrides: Partial<NewOutboxMessage> & { createdAt: number }): NewOutboxMessage {
  n += 1;
  return {
    id: `m-${n}`,
    idempotencyKey: outboxKey({ recipient: `r-${n}`, purpose: 'test', period: '2026-W48', step: n }),
    channel: 'slack',
    recipientKind: 'staff',
    recipientId: `r-${n}`,
    address: `C${n}`,
    purpose: 'test',
    locale: 'en',
    payload: { key: 'test.hello' },
    ...overrides,
  };
}

export function enqueue(db: Db, m: NewOutboxMessage): string {
  const id = OutboxRepository.enqueue(db, m);
  if (!id) throw new Error('duplicate in test setup');
  return id;
}

export function seedGuardian(db: Db, id: string, timezone: string, at = 0): void {
  db.insert(guardians)
    .values({ id, name: 'G', phone: '+15550100000', locale: 'en', timezone, createdAt: at, updatedAt: at })
    .run();
}

export function seedSchool(db: Db, id: string, timezone: string, at = 0): void {
  db.insert(schools).values({ id, name: id, timezone, createdAt: at, updatedAt: at }).run();
}

/** What the fake API answers next: a status with optional headers and body, or a network failure. */
export type Scripted = { status: number; headers?: Record<string, string>; body?: object } | 'network';

/** A fake messaging API for msw: records each request's idempotency key; answers from a script, else 200. */
export function fakeApi() {
  const requests: Array<{ key: string; to: string }> = [];
  const script: Scripted[] = [];
  const handler = http.post(API_URL, async ({ request }) => {
    const body = (await request.json()) as { to: string };
    const key = request.headers.get('idempotency-key') ?? '';
    requests.push({ key, to: body.to });
    const next = script.shift();
    if (next === 'network') return HttpResponse.error();
    if (next) return HttpResponse.json(next.body ?? {}, { status: next.status, headers: next.headers ?? {} });
    return HttpResponse.json({ id: `SM${requests.length}` }, { status: 201 });
  });
  return { requests, script, handler };
}
