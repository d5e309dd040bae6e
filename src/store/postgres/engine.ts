import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Dialect, Engine } from '../dialect.js';
import { UniqueViolation } from '../errors.js';
import type { SqliteDb } from '../sqlite.js';
import { DatabaseUnavailable, describeUrl } from '../unavailable.js';
import { postgresSchema, postgresTables } from './schema.js';

// The PostgreSQL dialect: the pool, migrations, error codes and the SQL fragments PostgreSQL spells its own way.
// Only this folder imports `pg` or a drizzle PostgreSQL module.

const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../drizzle-postgres');

/** drizzle's PostgreSQL database over the pool, or over one client inside a transaction. */
export type PostgresDb = NodePgDatabase<Record<string, unknown>>;

// Two instances starting together must not both apply a migration: the first holds this lock meanwhile.
const MIGRATION_LOCK = 7_310_452_001;

/** `$.a.b` → `{a,b}`, PostgreSQL's path for `#>>`. */
function pgPath(path: string): string {
  return `{${path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .join(',')}}`;
}

/** PostgreSQL's spelling of the fragments that differ between engines (see dialect.ts). */
export const postgresDialect: Dialect = {
  name: 'postgres',
  // A generated identity column (migration 0001 of drizzle-postgres), PostgreSQL having no rowid.
  insertionOrder: (table) => sql`${table}."rowid"`,
  jsonText: (column, path) => sql<string | null>`(${column} #>> ${pgPath(path)})`,
  jsonNumber: (column, path) => sql<number | null>`cast(${column} #>> ${pgPath(path)} as double precision)`,
  idWithoutDashesLike: (column, pattern) => sql`lower(replace(${column}, '-', '')) like ${pattern}`,
  textPrefix: (column, length) => sql`substr(${column}, 1, ${length})`,
  wordsInParams: (column, kept, redacted) => {
    const keys = sql.join(
      kept.map((k) => sql`${k}`),
      sql`, `,
    );
    const objectParams = (json: unknown) =>
      sql`case when jsonb_typeof(${json}) = 'object' then ${json} else '{}'::jsonb end`;
    return sql`exists (select 1 from (
        select p.key, p.value from jsonb_each(${objectParams(sql`${column} -> 'params'`)}) p
        union all
        select p.key, p.value
          from jsonb_array_elements(case when jsonb_typeof(${column} -> 'choices') = 'array'
                                         then ${column} -> 'choices' else '[]'::jsonb end) c,
               jsonb_each(${objectParams(sql`c -> 'params'`)}) p
      ) w where jsonb_typeof(w.value) = 'string' and w.value #>> '{}' <> ${redacted} and w.key not in (${keys}))`;
  },
  claimable: <Q>(select: Q) =>
    (select as { for(strength: 'update', config: { skipLocked: true }): Q }).for('update', {
      skipLocked: true,
    }),
  plainRows: async <V extends unknown[], T>(query: unknown, build: (values: V) => T) =>
    ((await (query as Promise<Array<Record<string, unknown>>>)) ?? []).map((row) =>
      build(Object.values(row) as V),
    ),
  prepare: <R>(query: unknown, name: string) => {
    const statement = (
      query as { prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R> } }
    ).prepare(name);
    return { execute: (values?: Record<string, unknown>) => statement.execute(values) };
  },
  continueNumbering: async (db, table) => {
    const numbered = Object.values(getTableColumns(table)).filter(
      (c) => c.primary && c.dataType === 'number',
    );
    for (const column of numbered)
      await (db as unknown as PostgresDb).execute(
        sql`select setval(pg_get_serial_sequence(${getTableName(table)}, ${column.name}),
              (select coalesce(max(${sql.identifier(column.name)}), 0) + 1 from ${sql.identifier(getTableName(table))}), false)`,
      );
  },
  affected: (result) => (result as { rowCount: number | null }).rowCount ?? 0,
};

/** The PostgreSQL engine over a pool or a transaction's client, as repositories see it. */
export function postgresEngine(db: PostgresDb): Engine {
  return { db: db as unknown as SqliteDb, t: postgresSchema, dialect: postgresDialect };
}

// Epoch milliseconds and counts are bigint: read them as numbers (exact below 2^53, which ours stay far under).
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** One line naming the setting and the fix, from what the server or the network said. */
export function postgresUnavailable(url: string, err: unknown): DatabaseUnavailable {
  const cause = rootCause(err) as { code?: unknown; message?: unknown };
  const where = describeUrl(url);
  const why: Record<string, string> = {
    ECONNREFUSED: `nothing answers at ${where}; start PostgreSQL or correct the host and port`,
    ENOTFOUND: `the host of ${where} is unknown; correct the host name`,
    ETIMEDOUT: `${where} did not answer in time; check the network and the server`,
    '28P01': `PostgreSQL refused the user or password for ${where}; correct them`,
    '28000': `PostgreSQL refused the connection to ${where} (pg_hba.conf); allow this host and user`,
    '3D000': `the database ${where} does not exist; create it (createdb) or correct the name`,
    '42501': `the user may not create tables in ${where}; grant it the rights on the database`,
  };
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return new DatabaseUnavailable(
    `DATABASE_URL: ${(code && why[code]) ?? `PostgreSQL at ${where} could not be used (${code ?? String(cause?.message ?? err)}); check the URL and the server`}`,
  );
}

/** The error a driver raised, under drizzle's wrapping. */
function rootCause(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 5 && e instanceof Error && e.cause !== undefined && !('code' in e); i++) e = e.cause;
  return e;
}

/** Maps PostgreSQL's unique violation to the store's typed error; anything else is returned as is. */
export function mapPostgresError(err: unknown): unknown {
  const cause = rootCause(err) as { code?: unknown; table?: unknown };
  if (cause?.code !== '23505') return err;
  return new UniqueViolation(typeof cause.table === 'string' ? cause.table : undefined, { cause: err });
}

/**
 * True for a transaction that lost a race and should run again from the start: PostgreSQL gave it up for
 * another (40001, a deadlock 40P01), or a unique key refused its insert because a concurrent transaction wrote
 * the same key first (23505) — it read "not there yet" from its snapshot; run again, it sees the winner's row
 * and takes the path for an existing one, as it would have on SQLite, where transactions never overlap. A
 * unique key a transaction violates by itself fails the same way again and is reported then.
 */
export function mustRetry(err: unknown, attempt: number): boolean {
  const code = (rootCause(err) as { code?: unknown })?.code;
  return code === '40001' || code === '40P01' || (code === '23505' && attempt < 3);
}

/** A pool and drizzle over it. */
export interface PostgresConnection {
  pool: pg.Pool;
  db: PostgresDb;
}

/**
 * Connects to the server at `url` and applies pending migrations (one instance at a time, under an advisory
 * lock). Any failure is a `DatabaseUnavailable`, with the pool closed.
 */
export async function openPostgres(
  url: string,
  options: { migrate?: boolean; poolSize?: number } = {},
): Promise<PostgresConnection> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types });
  // An idle client losing its server (a restart) must not crash the service; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      if (options.migrate !== false) {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        try {
          await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        }
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw postgresUnavailable(url, err);
  }
  return { pool, db: drizzle({ client: pool, schema: postgresTables }) as unknown as PostgresDb };
}

/** The number of applied migrations. */
export async function postgresSchemaVersion(pool: pg.Pool): Promise<number> {
  try {
    const { rows } = await pool.query('select count(*) as n from drizzle.__drizzle_migrations');
    return Number(rows[0]?.n ?? 0);
  } catch {
    return 0;
  }
}

/** True when the server answers a trivial query. */
export async function postgresAnswers(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('select 1');
    return true;
  } catch {
    return false;
  }
}
