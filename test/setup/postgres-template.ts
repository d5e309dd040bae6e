import { openPostgresStore } from '../../src/store/postgres/store.js';
import { admin, TEMPLATE_DATABASE, TEST_DATABASE_URL, urlOf } from '../helpers/postgres.js';

/**
 * Once per test run, with TEST_DATABASE_URL set: drops what an earlier run left, creates the template database
 * (C collation, so text sorts by code point as on SQLite) and applies the migrations to it.
 */
export default async function setup(): Promise<void> {
  if (!TEST_DATABASE_URL) return;
  await admin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `select datname from pg_database where datname like 'checkins_test%'`,
    );
    for (const { datname } of rows) {
      await client.query(`alter database "${datname}" is_template false`);
      await client.query(`drop database "${datname}" with (force)`);
    }
    await client.query(
      `create database "${TEMPLATE_DATABASE}" template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`,
    );
  });
  const store = await openPostgresStore(urlOf(TEMPLATE_DATABASE));
  await store.close();
  await admin((client) => client.query(`alter database "${TEMPLATE_DATABASE}" is_template true`));
}
