import { is } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { SQLiteTable, getTableConfig as sqliteTableConfig } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTables } from '../../src/store/postgres/schema.js';
import * as schema from '../../src/store/schema/index.js';
import { createPostgresTestDatabase, SKIP_MESSAGE, TEST_DATABASE_URL } from '../helpers/postgres.js';

// The PostgreSQL tables are mirrored from the SQLite declaration, and PostgreSQL's migrations are written from
// the mirror: these tests catch a schema change whose PostgreSQL migration was not generated
// (`npm run db:generate` writes both engines'), and a mirror that lost a column, key or index.

const sqliteTables = Object.entries(schema).filter(([, v]) => is(v, SQLiteTable)) as Array<
  [string, SQLiteTable]
>;

describe('the PostgreSQL mirror of the schema', () => {
  it('has every table, column, nullability, key and index of the SQLite declaration', () => {
    expect(Object.keys(postgresTables).sort()).toEqual(sqliteTables.map(([k]) => k).sort());
    for (const [key, table] of sqliteTables) {
      const lite = sqliteTableConfig(table);
      const mirror = getTableConfig(postgresTables[key]!);
      expect(mirror.name).toBe(lite.name);
      const shape = (c: { name: string; notNull: boolean; primary: boolean }) => [
        c.name,
        c.notNull,
        c.primary,
      ];
      expect(mirror.columns.map(shape), lite.name).toEqual(lite.columns.map(shape));
      expect(mirror.indexes.map((i) => i.config.name).sort(), lite.name).toEqual(
        lite.indexes.map((i) => i.config.name).sort(),
      );
      expect(mirror.foreignKeys.length, lite.name).toBe(lite.foreignKeys.length);
      expect(mirror.primaryKeys.length, lite.name).toBe(lite.primaryKeys.length);
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)(
  `PostgreSQL's migrations${TEST_DATABASE_URL ? '' : ` — ${SKIP_MESSAGE}`}`,
  () => {
    let database: Awaited<ReturnType<typeof createPostgresTestDatabase>>;
    let client: pg.Client;
    beforeAll(async () => {
      database = await createPostgresTestDatabase();
      client = new pg.Client({ connectionString: database.url });
      await client.connect();
    });
    afterAll(async () => {
      await client?.end();
      await database?.drop();
    });

    it('build exactly the tables, columns, types and indexes the code declares', async () => {
      const { rows: columns } = await client.query<{
        table_name: string;
        column_name: string;
        data_type: string;
        is_nullable: string;
      }>(
        `select table_name, column_name, data_type, is_nullable from information_schema.columns
          where table_schema = 'public' and column_name <> 'rowid'`,
      );
      const { rows: indexes } = await client.query<{ indexname: string }>(
        `select indexname from pg_indexes where schemaname = 'public'`,
      );
      const built = new Set(
        columns.map((c) => `${c.table_name}.${c.column_name} ${c.data_type} ${c.is_nullable}`),
      );
      const declared = new Set<string>();
      for (const table of Object.values(postgresTables)) {
        const config = getTableConfig(table);
        for (const c of config.columns)
          declared.add(`${config.name}.${c.name} ${c.getSQLType()} ${c.notNull ? 'NO' : 'YES'}`);
        for (const ix of config.indexes) expect(indexes.map((i) => i.indexname)).toContain(ix.config.name);
      }
      expect([...built].sort()).toEqual([...declared].sort());
    });
  },
);
