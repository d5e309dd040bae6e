import { describe } from 'vitest';
import { type Db, openTestDatabase } from '../../src/store/db.js';
import { openPostgresTestDatabase, SKIP_MESSAGE, TEST_DATABASE_URL } from './postgres.js';

// Which engine a test's database runs on. `npm test` runs the suite on SQLite, and the store's own suites on
// both engines (`describeEngines`); `npm run test:postgres` (TEST_ENGINE=postgres) runs every test built on
// `openTestStore` or `testContext` on PostgreSQL.

export type EngineName = 'sqlite' | 'postgres';

/** The engine of this run: TEST_ENGINE=postgres puts every test database on PostgreSQL. */
export const TEST_ENGINE: EngineName = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

if (TEST_ENGINE === 'postgres' && !TEST_DATABASE_URL)
  throw new Error('TEST_ENGINE=postgres needs TEST_DATABASE_URL (a PostgreSQL server the tests may use)');

/** A fresh migrated database for one test, on `engine` (default: this run's engine). */
export function openTestStore(engine: EngineName = TEST_ENGINE): Promise<Db> {
  return engine === 'postgres' ? openPostgresTestDatabase() : Promise.resolve(openTestDatabase());
}

/**
 * Runs a suite once per engine, handing it a way to open a fresh database. The PostgreSQL run is skipped, with
 * a message saying how to enable it, when TEST_DATABASE_URL is not set.
 */
export function describeEngines(
  title: string,
  suite: (open: () => Promise<Db>, engine: EngineName) => void,
): void {
  describe(`${title} [sqlite]`, () => suite(() => openTestStore('sqlite'), 'sqlite'));
  if (TEST_DATABASE_URL)
    describe(`${title} [postgres]`, () => suite(() => openTestStore('postgres'), 'postgres'));
  else
    describe.skip(`${title} [postgres] — ${SKIP_MESSAGE}`, () =>
      suite(() => openTestStore('postgres'), 'postgres'));
}
