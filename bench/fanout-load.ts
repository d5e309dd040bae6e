// The week fan-out and relay drain shared by the outbox benchmark (SQLite) and its PostgreSQL run: the rows a
// week's fan-out enqueues, enqueued as the product does, and drained by the relay with instant transports.
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { createRelay } from '../src/delivery/relay.js';
import { TransportRegistry } from '../src/delivery/transport.js';
import { fixedClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { type Db, engineOf, openDatabase } from '../src/store/db.js';
import { type NewOutboxMessage, OutboxRepository, outboxKey } from '../src/store/repositories/outbox.js';
import type { Channel } from '../src/store/schema/index.js';

export const BATCH = 1_000; // rows per transaction, as a fan-out job would commit them
export const NOW = Date.parse('2026-11-24T18:00:00Z'); // noon in Chicago: inside the sending window
const WEEK = '2026-W48';

/** Row `i` of a fan-out of `families` family texts followed by navigator prompts. */
export function fanOut(i: number, families: number): NewOutboxMessage {
  const family = i < families;
  const who = family ? `g-${i}` : `nav-${i - families}`;
  const purpose = family ? 'family_checkin' : 'navigator_prompt';
  return {
    id: `o-${i}`,
    idempotencyKey: outboxKey({ recipient: who, purpose, period: WEEK, step: 'start' }),
    channel: family ? 'sms' : 'slack',
    recipientKind: family ? 'guardian' : 'staff',
    recipientId: who,
    address: family ? `+1555${String(i).padStart(7, '0')}` : `D${i}`,
    purpose,
    locale: 'en',
    payload: { key: `${purpose}.start`, params: { week: WEEK } },
    body: family ? 'Hi! This is your weekly check-in from school. Reply 1-5.' : null,
    createdAt: NOW,
  };
}

/**
 * Enqueues rows [0, total) through OutboxRepository.enqueue, BATCH rows per transaction. With several stores
 * (instances on one database), batch b goes to store b mod n and the stores work at the same time.
 */
export async function enqueueWeek(stores: Db[], total: number, families: number): Promise<void> {
  await Promise.all(
    stores.map(async (db, k) => {
      for (let start = k * BATCH; start < total; start += stores.length * BATCH)
        await db.transaction(async (tx) => {
          for (let i = start; i < Math.min(total, start + BATCH); i++)
            await OutboxRepository.enqueue(tx, fanOut(i, families));
        });
    }),
  );
}

export interface Drain {
  /** Sends the transports made, and how many distinct rows they were for. */
  sent: number;
  distinct: number;
  ms: number;
}

/**
 * Drains the outbox with one relay per store (instant transports, no rate limits), all at once, until no relay
 * claims anything or `budgetMs` has passed.
 */
export async function drainRelays(stores: Db[], budgetMs: number): Promise<Drain> {
  const ids = new Set<string>();
  let sent = 0;
  const instant = (channel: Channel) => ({
    channel,
    send: async (m: { id: string }) => {
      sent += 1;
      ids.add(m.id);
      return { ok: true as const, providerMessageId: 'P' };
    },
  });
  const t = performance.now();
  await Promise.all(
    stores.map(async (db, k) => {
      let n = 0;
      const ctx: AppContext = {
        config: loadConfig({}),
        db,
        logger: createLogger({ level: 'silent' }),
        clock: fixedClock(NOW),
        ids: () => `id-${k}-${++n}`,
      };
      const relay = createRelay({
        ctx,
        transports: new TransportRegistry([instant('sms'), instant('slack')]),
        rateLimits: false,
        batchSize: 500,
      });
      while (performance.now() - t < budgetMs) if ((await relay.runOnce()).claimed === 0) break;
    }),
  );
  return { sent, distinct: ids.size, ms: performance.now() - t };
}

/** The reference: raw prepared better-sqlite3 inserts into the same table, indexes and pragmas, same batches. */
export async function rawSqliteInsert(path: string, total: number, families: number): Promise<void> {
  const store = openDatabase(path);
  const raw = engineOf(store).$client;
  const insert = raw.prepare(
    `insert or ignore into outbox (id, idempotency_key, channel, recipient_kind, recipient_id, address, purpose,
     locale, payload, body, urgent, status, not_before, attempts, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'pending', ?, 0, ?, ?)`,
  );
  for (let start = 0; start < total; start += BATCH)
    raw.transaction(() => {
      for (let i = start; i < Math.min(total, start + BATCH); i++) insert.run(...rawRow(fanOut(i, families)));
    })();
  await store.close();
}

/** A row's values in the column order of the raw inserts. */
export function rawRow(m: NewOutboxMessage): Array<string | number | null> {
  return [
    m.id,
    m.idempotencyKey,
    m.channel,
    m.recipientKind,
    m.recipientId,
    m.address,
    m.purpose,
    m.locale,
    JSON.stringify(m.payload),
    m.body ?? null,
    NOW,
    NOW,
    NOW,
  ];
}
