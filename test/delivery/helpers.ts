import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { parseRetryAfter } from '../../src/delivery/backoff.js';
import { classifyHttpStatus, type Transport } from '../../src/delivery/transport.js';
import { type Clock, fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { type Db, engineOf } from '../../src/store/db.js';
import { type NewOutboxMessage, OutboxRepository, outboxKey } from '../../src/store/repositories/outbox.js';
import type { Channel } from '../../src/store/schema/index.js';
import { tablesOf } from '../helpers/tables.js';

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

export async function enqueue(db: Db, m: NewOutboxMessage): Promise<string> {
  const id = await OutboxRepository.enqueue(db, m);
  if (!id) throw new Error('duplicate in test setup');
  return id;
}

export async function seedGuardian(db: Db, id: string, timezone: string, at = 0): Promise<void> {
  const { guardians } = tablesOf(db);
  await engineOf(db)
    .insert(guardians)
    .values({ id, name: 'G', phone: '+15550100000', locale: 'en', timezone, createdAt: at, updatedAt: at });
}

export async function seedSchool(db: Db, id: string, timezone: string, at = 0): Promise<void> {
  const { schools } = tablesOf(db);
  await engineOf(db).insert(schools).values({ id, name: id, timezone, createdAt: at, updatedAt: at });
}

/** What the fake platform answers next: an HTTP status with optional headers and body, or a dropped connection. */
export type Scripted =
  | { status: number; headers?: Record<string, string>; body?: { code?: unknown } }
  | 'network';

/**
 * A fake messaging platform: records each send's idempotency key and address, and answers from a script as
 * a platform's HTTP answer is classified (`classifyHttpStatus`), else accepts with a new provider id. A
 * dropped connection may have delivered, as with any HTTP API. `transport` hands the relay a transport to it.
 */
export function fakeApi() {
  const requests: Array<{ key: string; to: string }> = [];
  const script: Scripted[] = [];
  const transport = (channel: Channel, clock: Clock): Transport => ({
    channel,
    async send(m) {
      requests.push({ key: m.idempotencyKey, to: m.address });
      const next = script.shift();
      if (next === 'network')
        return { ok: false, kind: 'transient', reason: 'network', maybeDelivered: true };
      const code = next?.body?.code;
      const failure =
        next &&
        classifyHttpStatus(
          next.status,
          parseRetryAfter(next.headers?.['retry-after'], clock()),
          code === undefined ? undefined : String(code),
        );
      return failure || { ok: true, providerMessageId: `SM${requests.length}` };
    },
  });
  return { requests, script, transport };
}
