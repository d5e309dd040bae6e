import { openStore, type Store, type Tx } from './store.js';

export { UniqueViolation } from './errors.js';
export { PRAGMAS } from './sqlite.js';
export { engineOf, Repository, Store, type Tx } from './store.js';

/** The service's database (see store.ts for how its connection is shared). */
export type Db = Store;
/** Repositories accept either the store or a caller's transaction, so effects commit together. */
export type DbOrTx = Store | Tx;

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
}

/** Opens (creating if needed) the database at `path` (or ':memory:') and applies migrations. */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  return openStore(path, options);
}

/** A fresh migrated in-memory database, for tests. */
export function openTestDatabase(): Db {
  return openDatabase(':memory:');
}
