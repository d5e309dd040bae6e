// `npm run bench`: outbox enqueue and relay throughput on a file database, with the raw better-sqlite3
// insert rate measured in the same run as the reference. Figures are printed, never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, openDatabase } from '../src/store/db.js';
import { OutboxRepository } from '../src/store/repositories/outbox.js';
import { drainRelays, enqueueWeek, fanOut as fanOutOf, rawSqliteInsert } from './fanout-load.js';

const FAMILIES = 100_000;
const NAVIGATORS = 10_000;
const RELAY_BUDGET_MS = 30_000;
const fanOut = (i: number) => fanOutOf(i, FAMILIES);

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-bench-'));
  const total = FAMILIES + NAVIGATORS;
  const results: string[][] = [];
  try {
    // Reference: raw prepared inserts into the same table, same indexes, same pragmas, same batches.
    let t = performance.now();
    await rawSqliteInsert(join(dir, 'raw.db'), total, FAMILIES);
    const rawMs = performance.now() - t;
    results.push(['raw better-sqlite3 prepared insert', String(total), seconds(rawMs), rate(total, rawMs)]);

    // The product path: OutboxRepository.enqueue (zod check + drizzle insert-or-ignore) in the caller's
    // transaction, through the store's async seam.
    const db = openDatabase(join(dir, 'outbox.db'));
    t = performance.now();
    await enqueueWeek([db], total, FAMILIES);
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
  const { sent, ms } = await drainRelays([db], RELAY_BUDGET_MS);
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
