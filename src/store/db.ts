import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema/index.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** A drizzle transaction over the same schema (better-sqlite3 transactions are synchronous). */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Repositories accept either the database or a caller's transaction, so effects commit together. */
export type DbOrTx = Db | Tx;

const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/**
 * Pragmas, set on every connection:
 * - WAL lets the relay and the web handlers read while one writer commits.
 * - synchronous=FULL: a committed state change and its outbox rows must survive a power cut, not only a
 *   crash of the process. Our write rate (a few thousand rows a minute at peak) makes the extra fsync cheap;
 *   `npm run bench` shows the figures.
 * - foreign_keys: SQLite leaves them off by default.
 * - busy_timeout: a second process (the CLI while the service runs) waits for the lock instead of failing.
 */
export const PRAGMAS = {
  journal_mode: 'wal',
  synchronous: 2, // FULL
  foreign_keys: 1,
  busy_timeout: 5000,
} as const;

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
}

/** Opens (creating if needed) the SQLite database at `path` (or ':memory:'), sets pragmas, applies migrations. */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const client = new Database(path);
  client.pragma(`journal_mode = ${PRAGMAS.journal_mode}`);
  client.pragma(`synchronous = ${PRAGMAS.synchronous}`);
  client.pragma(`foreign_keys = ${PRAGMAS.foreign_keys}`);
  client.pragma(`busy_timeout = ${PRAGMAS.busy_timeout}`);
  const db = drizzle({ client, schema }) as Db;
  if (options.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return db;
}

/** The number of applied migrations, reported by /healthz as the schema version. */
export function schemaVersion(db: Db): number {
  try {
    const row = db.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
    return row.n;
  } catch {
    return 0;
  }
}

/** True when the database answers a trivial query. */
export function databaseOk(db: Db): boolean {
  try {
    db.$client.prepare('select 1').get();
    return true;
  } catch {
    return false;
  }
}

/** A fresh migrated in-memory database, for tests. */
export function openTestDatabase(): Db {
  return openDatabase(':memory:');
}
