import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { errorName } from '../lib/logger.js';
import type { Dialect, Engine } from './dialect.js';
import { UniqueViolation } from './errors.js';
import * as schema from './schema/index.js';
import { DatabaseUnavailable } from './unavailable.js';

// The SQLite dialect: everything that knows the store runs on better-sqlite3 lives here, so the repositories
// and the connection queue above them stay engine-neutral in shape.

/** The drizzle handle repositories query through. */
export type SqliteDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

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

/** One line naming the file and the fix, from what SQLite or the file system said. */
function unavailable(path: string, err: unknown): DatabaseUnavailable {
  const code = (err as { code?: unknown })?.code;
  const file = resolve(path);
  const why: Record<string, string> = {
    SQLITE_NOTADB: `${file} is not a SQLite database; point DATABASE_URL at the service's database file or a new path`,
    SQLITE_READONLY: `${file} is read-only; give the service write access to the file and its directory`,
    SQLITE_CANTOPEN: `${file} cannot be opened; check that its directory exists and the service may read and write it`,
    SQLITE_CORRUPT: `${file} is damaged; restore it from a backup (npm run cli -- db backup makes one)`,
    EACCES: `no permission to create or open ${file}; give the service access or choose another path`,
    ENOENT: `the directory of ${file} does not exist and cannot be created; create it or choose another path`,
    ENOTDIR: `part of the path ${file} is a file, not a directory; choose another path`,
  };
  const known = typeof code === 'string' ? (why[code] ?? why[code.replace(/_.*$/, '')]) : undefined;
  return new DatabaseUnavailable(
    `DATABASE_URL: ${known ?? `${file} could not be opened (${typeof code === 'string' ? code : errorName(err)}); check the path and its permissions`}`,
  );
}

/**
 * Opens (creating if needed) the SQLite file at `path` (or ':memory:'), sets pragmas, optionally migrates.
 * A missing directory is created only when its parent exists (the default ./data on a first start); a path
 * deeper in nowhere is a mistake. Any failure is a `DatabaseUnavailable`, before anything is written.
 */
export function openSqlite(path: string, options: { migrate?: boolean } = {}): SqliteDb {
  let client: Database.Database | undefined;
  try {
    if (path !== ':memory:') {
      const dir = dirname(resolve(path));
      if (!existsSync(dir)) {
        if (!existsSync(dirname(dir))) throw Object.assign(new Error('no directory'), { code: 'ENOENT' });
        mkdirSync(dir);
      }
    }
    client = new Database(path, { fileMustExist: false, timeout: PRAGMAS.busy_timeout });
    client.pragma(`journal_mode = ${PRAGMAS.journal_mode}`);
    client.pragma(`synchronous = ${PRAGMAS.synchronous}`);
    client.pragma(`foreign_keys = ${PRAGMAS.foreign_keys}`);
    client.pragma(`busy_timeout = ${PRAGMAS.busy_timeout}`);
    const db = drizzle({ client, schema }) as SqliteDb;
    if (options.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    cacheStatements(client);
    return db;
  } catch (err) {
    client?.close();
    throw unavailable(path, err);
  }
}

/** Compiled statements kept per connection; the service issues a few hundred distinct queries. */
const STATEMENT_CACHE_SIZE = 1_000;

/**
 * Keeps every compiled statement for reuse: drizzle asks the connection to compile each query on every call,
 * and compiling costs more than running most of ours. A statement comes back in object mode, since drizzle
 * switches some to raw (array) mode for their last use. Statements run to completion at once (drizzle's
 * run/all/get/values), so one is never busy when handed out again.
 */
function cacheStatements(client: Database.Database): void {
  const compile = client.prepare.bind(client);
  const cache = new Map<string, Database.Statement>();
  client.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached) {
      if (cached.reader) cached.raw(false);
      return cached;
    }
    const statement = compile(source);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(source, statement);
    return statement;
  }) as typeof client.prepare;
}

/**
 * Transactions start IMMEDIATE: the write lock is taken at BEGIN, so two processes (the service and the CLI)
 * queue on busy_timeout instead of one failing when it upgrades a read to a write.
 */
export const sqliteTransactions = {
  begin: (db: SqliteDb) => db.$client.exec('BEGIN IMMEDIATE'),
  commit: (db: SqliteDb) => db.$client.exec('COMMIT'),
  rollback: (db: SqliteDb) => {
    if (db.$client.inTransaction) db.$client.exec('ROLLBACK');
  },
  savepoint: (db: SqliteDb, name: string) => db.$client.exec(`SAVEPOINT ${name}`),
  release: (db: SqliteDb, name: string) => db.$client.exec(`RELEASE ${name}`),
  rollbackTo: (db: SqliteDb, name: string) => db.$client.exec(`ROLLBACK TO ${name}; RELEASE ${name}`),
  /** False once SQLite itself ended the transaction (an I/O error, a full disk). */
  open: (db: SqliteDb) => db.$client.inTransaction,
};

/** Maps better-sqlite3's constraint errors to the store's typed error; anything else is returned as is. */
export function mapSqliteError(err: unknown): unknown {
  if (!(err instanceof Error) || !('code' in err)) return err;
  if (err.code !== 'SQLITE_CONSTRAINT_UNIQUE' && err.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return err;
  // "UNIQUE constraint failed: dialog_sessions.recipient_id, dialog_sessions.period"
  const table = /failed: (\w+)\./.exec(err.message)?.[1];
  return new UniqueViolation(table, { cause: err });
}

/** Closes the connection. */
export function closeSqlite(db: SqliteDb): void {
  db.$client.close();
}

/** The number of applied migrations. */
export function sqliteSchemaVersion(db: SqliteDb): number {
  try {
    const row = db.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
    return row.n;
  } catch {
    return 0;
  }
}

/** True when the connection answers a trivial query. */
export function sqliteAnswers(db: SqliteDb): boolean {
  try {
    db.$client.prepare('select 1').get();
    return true;
  } catch {
    return false;
  }
}

/** SQLite's spelling of the fragments that differ between engines (see dialect.ts). */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  insertionOrder: (table) => sql`${table}.rowid`,
  jsonText: (column, path) => sql<string | null>`json_extract(${column}, ${path})`,
  jsonNumber: (column, path) => sql<number | null>`json_extract(${column}, ${path})`,
  idWithoutDashesLike: (column, pattern) => sql`lower(replace(${column}, '-', '')) like ${pattern}`,
  textPrefix: (column, length) => sql`substr(${column}, 1, ${length})`,
  wordsInParams: (column, kept, redacted) => {
    const keys = sql.join(
      kept.map((k) => sql`${k}`),
      sql`, `,
    );
    return sql`exists (select 1 from json_tree(${column}) as j
      where j.type = 'text' and j.value <> ${redacted} and j.key not in (${keys})
        and (j.path = '$.params' or j.path glob '$.choices[[]*].params'))`;
  },
  claimable: (select) => select,
  plainRows: async <V extends unknown[], T>(query: unknown, build: (values: V) => T) =>
    (query as { values(): unknown[][] }).values().map((row) => build(row as V)),
  prepare: <R>(query: unknown) => {
    const statement = (query as { prepare(): { execute(values?: Record<string, unknown>): R } }).prepare();
    return { execute: async (values?: Record<string, unknown>) => statement.execute(values) };
  },
  // SQLite numbers an integer primary key from the largest one present: nothing to do.
  continueNumbering: async () => undefined,
  affected: (result) => (result as { changes: number }).changes,
};

/** The SQLite engine as repositories see it. */
export function sqliteEngine(db: SqliteDb): Engine {
  return { db, t: schema, dialect: sqliteDialect };
}

/** What a backup wrote, and what SQLite's integrity check said of the copy ('ok' when it is sound). */
export interface BackupResult {
  file: string;
  pages: number;
  integrity: string;
}

/**
 * Copies the database to `file` with SQLite's online backup (the service keeps running and writing), then
 * opens the copy read-only and runs PRAGMA integrity_check on it, so a backup is known to restore.
 */
export async function backupSqlite(db: SqliteDb, file: string): Promise<BackupResult> {
  const target = resolve(file);
  mkdirSync(dirname(target), { recursive: true });
  const { totalPages } = await db.$client.backup(target);
  const copy = new Database(target, { readonly: true, fileMustExist: true });
  try {
    const rows = copy.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return { file: target, pages: totalPages, integrity: rows.map((r) => r.integrity_check).join('; ') };
  } finally {
    copy.close();
  }
}
