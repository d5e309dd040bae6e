import { count, getTableColumns, getTableName, is, sql } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from './schema/index.js';
import { ENGINE, type SqliteStore, type Store } from './store.js';

// Moving a district from SQLite to PostgreSQL, engine to engine through drizzle: each table is read from the
// SQLite store in insertion order (rowid) and written to the target with the target's own tables, so values go
// through both engines' column mappings (JSON text → jsonb, 0/1 → boolean, integers → bigint). Rows keep their
// insertion order on the target too, where it matters (the identity column PostgreSQL lists some tables by).

/** Rows per transaction on the target: a failure loses one batch's work, and no transaction grows unbounded. */
export const COPY_BATCH_ROWS = 5_000;
/** PostgreSQL's limit of bind parameters in one statement (a 16-bit count). */
const MAX_PARAMETERS = 65_535;

/** One table's copy in progress, for the caller to report. */
export interface CopyProgress {
  table: string;
  copied: number;
  total: number;
}

/** What a copy did, table by table (in the order copied), and how long it took. */
export interface CopyResult {
  tables: Array<{ table: string; rows: number }>;
  seconds: number;
}

/** A table's row counts on both sides after a copy, where they differ. */
export interface CountMismatch {
  table: string;
  source: number;
  target: number;
}

/** Refused or failed copies; the message is one line for the person running it. */
export class CopyError extends Error {
  constructor(
    message: string,
    readonly mismatches: CountMismatch[] = [],
  ) {
    super(message);
    this.name = 'CopyError';
  }
}

/** The schema's tables by export name, parents before the tables whose foreign keys point at them. */
export function tablesInCopyOrder(): Array<[string, SQLiteTable]> {
  const tables = (Object.entries(schema) as Array<[string, unknown]>).filter(
    (e): e is [string, SQLiteTable] => is(e[1], SQLiteTable),
  );
  const byName = new Map(tables.map(([key, table]) => [getTableName(table), key]));
  const parents = new Map(
    tables.map(([key, table]) => [
      key,
      getTableConfig(table)
        .foreignKeys.map((fk) => byName.get(getTableName(fk.reference().foreignTable)))
        .filter((p): p is string => p !== undefined && p !== key),
    ]),
  );
  const ordered: Array<[string, SQLiteTable]> = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (key: string) => {
    if (placed.has(key)) return;
    if (visiting.has(key)) throw new Error(`copy: foreign keys form a cycle through ${key}`);
    visiting.add(key);
    for (const parent of parents.get(key) ?? []) place(parent);
    visiting.delete(key);
    placed.add(key);
    ordered.push(tables.find(([k]) => k === key)!);
  };
  // Declaration order among tables that do not depend on each other keeps the output stable.
  for (const [key] of tables) place(key);
  return ordered;
}

/** Row counts of every table on a store, by SQL table name. */
export async function countRows(store: Store): Promise<Map<string, number>> {
  const { db, t } = store[ENGINE];
  const counts = new Map<string, number>();
  for (const [key] of tablesInCopyOrder()) {
    const table = t[key as keyof typeof t] as SQLiteTable;
    const rows = await store.exclusive(async () => db.select({ n: count() }).from(table));
    counts.set(getTableName(table), rows[0]?.n ?? 0);
  }
  return counts;
}

/**
 * Copies every table of the SQLite store `source` into `target`, which must hold no rows (a migrated, empty
 * database), then checks that each table holds as many rows on both sides. Nothing may write to the source
 * meanwhile: the copy reads it batch by batch, not as one snapshot.
 */
export async function copyDatabase(
  source: SqliteStore,
  target: Store,
  options: { batchRows?: number; onProgress?: (progress: CopyProgress) => void } = {},
): Promise<CopyResult> {
  const started = performance.now();
  const batchRows = options.batchRows ?? COPY_BATCH_ROWS;
  const occupied = [...(await countRows(target))].filter(([, n]) => n > 0);
  if (occupied.length > 0) {
    const named = occupied.slice(0, 3).map(([table, n]) => `${table}: ${n.toLocaleString('en-US')}`);
    if (occupied.length > 3) named.push(`${occupied.length - 3} more tables`);
    throw new CopyError(
      `The target database already holds rows (${named.join(', ')}); copy into a new, empty database.`,
    );
  }

  const totals = await countRows(source);
  const { db: from, dialect } = source[ENGINE];
  const copied: CopyResult['tables'] = [];
  for (const [key, table] of tablesInCopyOrder()) {
    const name = getTableName(table);
    const total = totals.get(name) ?? 0;
    const columns = getTableColumns(table);
    const perInsert = Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(columns).length));
    let done = 0;
    // SQLite's rowid: the order rows were inserted in, and a key to page on.
    const position = sql<number>`${dialect.insertionOrder(table)}`;
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      // Keyset paging: each batch starts where the last ended, without rereading the rows before it.
      const batch = await source.exclusive(async () =>
        from
          .select({ ...columns, copyPosition: position })
          .from(table)
          .where(sql`${position} > ${after}`)
          .orderBy(position)
          .limit(batchRows),
      );
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.copyPosition;
      const rows = batch.map(({ copyPosition: _, ...row }) => row);
      try {
        await target.transaction(async (tx) => {
          const { db, t } = tx[ENGINE];
          const into = t[key as keyof typeof t] as SQLiteTable;
          for (let i = 0; i < rows.length; i += perInsert)
            await db.insert(into).values(rows.slice(i, i + perInsert) as never);
        });
      } catch (err) {
        // The tables before this one are in the target already: a second attempt needs an empty one again.
        const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : err;
        throw new CopyError(
          `Copying ${name} failed after ${done.toLocaleString('en-US')} rows (${String(cause)}); drop and recreate the target database, then copy again.`,
        );
      }
      done += rows.length;
      options.onProgress?.({ table: name, copied: done, total: Math.max(total, done) });
      if (batch.length < batchRows) break;
    }
    const numbered = target[ENGINE];
    await target.exclusive(() =>
      numbered.dialect.continueNumbering(
        numbered.db,
        numbered.t[key as keyof typeof numbered.t] as SQLiteTable,
      ),
    );
    copied.push({ table: name, rows: done });
  }

  const [sourceCounts, targetCounts] = [await countRows(source), await countRows(target)];
  const mismatches = [...sourceCounts]
    .map(([table, n]) => ({ table, source: n, target: targetCounts.get(table) ?? 0 }))
    .filter((m) => m.source !== m.target);
  if (mismatches.length > 0)
    throw new CopyError(
      `Row counts differ after the copy (${mismatches
        .map((m) => `${m.table}: ${m.source} in SQLite, ${m.target} in the target`)
        .join('; ')}); was the service running? Copy again into a new, empty database.`,
      mismatches,
    );
  return { tables: copied, seconds: (performance.now() - started) / 1000 };
}
