import pg from 'pg';
import type { Db } from '../../src/store/db.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';

// PostgreSQL for tests: a server named by TEST_DATABASE_URL (CI starts one on loopback; see .ci/run). Each test
// database is a copy of a migrated template made once per run (test/setup/postgres-template.ts), so a test
// starts on an empty schema in about a tenth of a second, and is dropped when its store closes.

/** The server tests may use, or undefined: PostgreSQL tests are then skipped with a message saying so. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

/**
 * This test run's name: its template and test databases carry it, so two runs on one server (a developer's and
 * an editor's) never drop each other's. Set by the run's global setup, inherited by its workers.
 */
export const TEST_RUN = process.env.TEST_DATABASE_RUN ?? `r${process.pid}`;

/** The migrated template every test database of this run is copied from. */
export const TEMPLATE_DATABASE = `checkins_test_${TEST_RUN}_template`;

export const SKIP_MESSAGE =
  'PostgreSQL tests skipped: set TEST_DATABASE_URL=postgres://user:password@host:5432/postgres to run them';

/** The same server, another database. */
export function urlOf(database: string, base = TEST_DATABASE_URL!): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

let made = 0;

/** A fresh migrated PostgreSQL database: its URL, to open stores on (several, as several instances would). */
export async function createPostgresTestDatabase(): Promise<{
  name: string;
  url: string;
  drop(): Promise<void>;
}> {
  if (!TEST_DATABASE_URL) throw new Error(SKIP_MESSAGE);
  const name = `checkins_test_${TEST_RUN}_${process.pid}_${++made}`;
  await admin((client) => client.query(`create database "${name}" template "${TEMPLATE_DATABASE}"`));
  return {
    name,
    url: urlOf(name),
    drop: () =>
      admin((client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

/** A fresh migrated PostgreSQL database for one test, dropped on `close()`. */
export async function openPostgresTestDatabase(options: { poolSize?: number } = {}): Promise<Db> {
  const { name, url } = await createPostgresTestDatabase();
  const store = await openPostgresStore(url, { migrate: false, poolSize: options.poolSize ?? 4 });
  const close = store.close.bind(store);
  let dropped = false;
  store.close = async () => {
    await close();
    if (dropped) return;
    dropped = true;
    await admin((client) => client.query(`drop database if exists "${name}" with (force)`));
  };
  return store;
}

/** Runs `fn` on a short-lived connection to the server's maintenance database. */
export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
