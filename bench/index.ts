// `npm run bench`: outbox enqueue and relay throughput on a file database, with the raw better-sqlite3
// insert rate measured in the same run as the reference. Figures are printed, never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { createRelay } from '../src/delivery/relay.js';
import { TransportRegistry } from '../src/delivery/transport.js';
import { fixedClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { type Db, engineOf, openDatabase } from '../src/store/db.js';
import { type NewOutboxMessage, OutboxRepository, outboxKey } from '../src/store/repositories/outbox.js';
import type { Channel } from '../src/store/schema/index.js';

const FAMILIES = 100_000;
const NAVIGATORS = 10_000;
const BATCH = 1_000; // rows per transaction, as a fan-out job would commit them
const RELAY_BUDGET_MS = 30_000;
const NOW = Date.parse('2026-11-24T18:00:00Z'); // noon in Chicago: inside the sending window
const WEEK = '2026-W48';

function fanOut(i: number): NewOutboxMessage {
  const family = i < FAMILIES;
  const who = family ? `g-${i}` : `nav-${i - FAMILIES}`;
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

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-bench-'));
  const total = FAMILIES + NAVIGATORS;
  const results: string[][] = [];
  try {
    // Reference: raw prepared inserts into the same table, same indexes, same pragmas, same batches.
    const rawStore = openDatabase(join(dir, 'raw.db'));
    const raw = engineOf(rawStore).$client;
    const insert = raw.prepare(
      `insert or ignore into outbox (id, idempotency_key, channel, recipient_kind, recipient_id, address, purpose,
       locale, payload, body, urgent, status, not_before, attempts, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'pending', ?, 0, ?, ?)`,
    );
    let t = performance.now();
    for (let start = 0; start < total; start += BATCH) {
      raw.transaction(() => {
        for (let i = start; i < Math.min(total, start + BATCH); i++) {
          const m = fanOut(i);
          insert.run(
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
          );
        }
      })();
    }
    const rawMs = performance.now() - t;
    results.push(['raw better-sqlite3 prepared insert', String(total), seconds(rawMs), rate(total, rawMs)]);
    await rawStore.close();

    // The product path: OutboxRepository.enqueue (zod check + drizzle insert-or-ignore) in the caller's
    // transaction, through the store's async seam.
    const db = openDatabase(join(dir, 'outbox.db'));
    t = performance.now();
    for (let start = 0; start < total; start += BATCH) {
      await db.transaction(async (tx) => {
        for (let i = start; i < Math.min(total, start + BATCH); i++)
          await OutboxRepository.enqueue(tx, fanOut(i));
      });
    }
    const enqMs = performance.now() - t;
    results.push([
      'OutboxRepository.enqueue (week fan-out)',
      String(total),
      seconds(enqMs),
      rate(total, enqMs),
    ]);

    // Enqueueing the same week again is a no-op (idempotency keys): measure the re-run.
    t = performance.now();
    let again = 0;
    await db.transaction(async (tx) => {
      for (let i = 0; i < 10_000; i++) if (await OutboxRepository.enqueue(tx, fanOut(i))) again++;
    });
    const reMs = performance.now() - t;
    results.push([`re-enqueue same week (${again} new rows)`, '10000', seconds(reMs), rate(10_000, reMs)]);

    try {
      await relayBench(db, results);
    } finally {
      await db.close();
      print(results);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function relayBench(db: Db, results: string[][]): Promise<void> {
  const clock = fixedClock(NOW);
  let n = 0;
  const ctx: AppContext = {
    config: loadConfig({}),
    db,
    logger: createLogger({ level: 'silent' }),
    clock,
    ids: () => `id-${++n}`,
  };
  const instant = (channel: Channel) => ({
    channel,
    send: async () => ({ ok: true as const, providerMessageId: 'P' }),
  });
  const relay = createRelay({
    ctx,
    transports: new TransportRegistry([instant('sms'), instant('slack')]),
    rateLimits: false,
    batchSize: 500,
  });
  let sent = 0;
  const t = performance.now();
  while (performance.now() - t < RELAY_BUDGET_MS) {
    const round = await relay.runOnce();
    sent += round.sent;
    if (round.claimed === 0) break;
  }
  const ms = performance.now() - t;
  results.push([
    `relay, instant transports (${RELAY_BUDGET_MS / 1000} s budget)`,
    String(sent),
    seconds(ms),
    rate(sent, ms),
  ]);
}

function print(results: string[][]): void {
  const rows = [['what', 'rows', 'seconds', 'rows/s'], ...results];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(
    `\nOutbox benchmark — ${cpus().length} CPU(s), ${process.version}, SQLite file in the temporary folder (WAL, synchronous=FULL)`,
  );
  for (const r of rows)
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  console.log(
    '\nEach relay send is two committed writes (attempt, then sent): its rate is bound by fsync, not by the transport.',
  );
}

await main();
