import { openPostgresStore } from '../../src/store/postgres/store.js';
import { admin, TEST_DATABASE_URL, urlOf } from '../helpers/postgres.js';

/**
 * Once per test run, with TEST_DATABASE_URL set: creates this run's template database (C collation, so text
 * sorts by code point as on SQLite) and applies the migrations to it; at the end, drops it and every test
 * database of the run.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (!TEST_DATABASE_URL) return undefined;
  // Workers are started after this and inherit the name, so their databases carry it too.
  process.env.TEST_DATABASE_RUN = `r${process.pid}`;
  const { TEMPLATE_DATABASE, TEST_RUN } = await import('../helpers/postgres.js');
  const ofThisRun = async () => {
    await admin(async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        'select datname from pg_database where datname like $1',
        [`checkins_test_${TEST_RUN}_%`],
      );
      for (const { datname } of rows) {
        await client.query(`alter database "${datname}" is_template false`);
        await client.query(`drop database "${datname}" with (force)`);
      }
    });
  };
  await ofThisRun();
  await admin((client) =>
    client.query(
      `create database "${TEMPLATE_DATABASE}" template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`,
    ),
  );
  const store = await openPostgresStore(urlOf(TEMPLATE_DATABASE));
  await store.close();
  await admin((client) => client.query(`alter database "${TEMPLATE_DATABASE}" is_template true`));
  return ofThisRun;
}
