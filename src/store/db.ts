import { openStore, type Store, type Tx } from './store.js';

export { UniqueViolation } from './errors.js';
export { PRAGMAS } from './sqlite.js';
export { engineOf, Repository, SqliteStore, Store, type Tx } from './store.js';

/** The service's database. */
export type Db = Store;
/** Repositories accept either the store or a caller's transaction, so effects commit together. */
export type DbOrTx = Store | Tx;

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
}

/** Where the database is: a SQLite file, or a PostgreSQL server (see Config). */
export interface DatabaseLocation {
  databasePath: string;
  postgresUrl?: string;
  databasePoolSize?: number;
}

/** Opens (creating if needed) the SQLite database at `path` (or ':memory:') and applies migrations. */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  return openStore(path, options);
}

/**
 * Opens the configured database, SQLite or PostgreSQL, and applies pending migrations. PostgreSQL's modules
 * are loaded only when it is configured, so the embedded default starts without them.
 */
export async function connectDatabase(location: DatabaseLocation, options: OpenOptions = {}): Promise<Db> {
  if (!location.postgresUrl) return openDatabase(location.databasePath, options);
  const { openPostgresStore } = await import('./postgres/store.js');
  return openPostgresStore(location.postgresUrl, {
    ...options,
    ...(location.databasePoolSize ? { poolSize: location.databasePoolSize } : {}),
  });
}

/** A fresh migrated in-memory database, for tests. */
export function openTestDatabase(): Db {
  return openDatabase(':memory:');
}
