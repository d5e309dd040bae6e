import { Column, getTableName, is, SQL } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  foreignKey,
  index,
  jsonb,
  type PgColumnBuilderBase,
  type PgTable,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { getTableConfig, type SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Tables } from '../dialect.js';
import * as sqliteSchema from '../schema/index.js';

// The PostgreSQL tables, mirrored from the one declaration in `schema/` (written with SQLite's builders) so the
// two engines can never drift apart: same table and column names, keys, indexes (partial ones too) and
// references. Only the storage types differ: epoch milliseconds and counts become bigint (read back as numbers),
// flags real booleans, JSON text jsonb. drizzle-kit reads `postgresTables` to write the PostgreSQL migrations
// (drizzle.postgres.config.ts), as it reads `schema/` for SQLite's.

/** A column of PostgreSQL's kind for a SQLite column, keeping its name, nullability, key and defaults. */
function mirrorColumn(column: SQLiteColumn): PgColumnBuilderBase {
  const name = column.name;
  const enumValues = (column as { enumValues?: [string, ...string[]] }).enumValues;
  let built: {
    notNull(): unknown;
    primaryKey(): unknown;
    default(value: unknown): unknown;
    $defaultFn(fn: () => unknown): unknown;
    unique(name?: string): unknown;
  };
  switch (column.columnType) {
    case 'SQLiteText':
      built = enumValues?.length ? text(name, { enum: enumValues }) : text(name);
      break;
    case 'SQLiteTextJson':
      built = jsonb(name);
      break;
    case 'SQLiteInteger':
      built = bigint(name, { mode: 'number' });
      // SQLite numbers an integer primary key itself (it is the rowid); PostgreSQL needs an identity for that.
      if (column.primary)
        (built as unknown as { generatedByDefaultAsIdentity(): unknown }).generatedByDefaultAsIdentity();
      break;
    case 'SQLiteBoolean':
      built = boolean(name);
      break;
    case 'SQLiteReal':
      built = doublePrecision(name);
      break;
    default:
      throw new Error(`postgres schema: no PostgreSQL type for ${column.columnType} (column ${name})`);
  }
  if (column.notNull) built.notNull();
  if (column.primary) built.primaryKey();
  if (column.default !== undefined) built.default(column.default);
  if (column.defaultFn) built.$defaultFn(column.defaultFn);
  if (column.isUnique) built.unique(column.uniqueName);
  return built as unknown as PgColumnBuilderBase;
}

const mirrored = new Map<string, PgTable>();

/** The PostgreSQL column standing for a SQLite one (tables are mirrored first, so every one is there). */
function pgColumnOf(column: Column): Column {
  const table = mirrored.get(getTableName(column.table)) as unknown as Record<string, unknown> | undefined;
  const found = table && Object.values(table).find((c) => is(c, Column) && c.name === column.name);
  if (!found) throw new Error(`postgres schema: no column ${getTableName(column.table)}.${column.name}`);
  return found as Column;
}

/** The same SQL with every SQLite column replaced by its PostgreSQL counterpart (partial index conditions). */
function mirrorSql(fragment: SQL): SQL {
  return new SQL(
    fragment.queryChunks.map((chunk) =>
      is(chunk, Column) ? pgColumnOf(chunk) : is(chunk, SQL) ? mirrorSql(chunk) : chunk,
    ),
  );
}

function mirrorTable(table: SQLiteTable): PgTable {
  const config = getTableConfig(table);
  const keys = Object.entries(table as unknown as Record<string, unknown>).filter(([, c]) =>
    is(c, Column),
  ) as Array<[string, SQLiteColumn]>;
  const columns = Object.fromEntries(keys.map(([key, column]) => [key, mirrorColumn(column)]));
  const keyOf = new Map<unknown, string>(keys.map(([key, column]) => [column, key]));
  const mirror = pgTable(config.name, columns, (self) => {
    // Indexes are built on the columns drizzle hands this callback, not on the table's own.
    const own = (c: unknown) => (self as Record<string, unknown>)[keyOf.get(c)!];
    const extra: unknown[] = [];
    for (const ix of config.indexes) {
      const on = ix.config.columns.map((c) => (is(c, SQL) ? mirrorSql(c) : own(c)));
      const built = (ix.config.unique ? uniqueIndex(ix.config.name) : index(ix.config.name)).on(
        ...(on as [never, ...never[]]),
      );
      extra.push(ix.config.where ? built.where(mirrorSql(ix.config.where)) : built);
    }
    for (const pk of config.primaryKeys)
      extra.push(
        primaryKey({ name: pk.getName(), columns: pk.columns.map(pgColumnOf) as [never, ...never[]] }),
      );
    for (const uq of config.uniqueConstraints)
      extra.push(unique(uq.name).on(...(uq.columns.map(pgColumnOf) as [never, ...never[]])));
    for (const fk of config.foreignKeys) {
      const ref = fk.reference();
      const built = foreignKey({
        name: fk.getName(),
        columns: ref.columns.map(pgColumnOf) as [never, ...never[]],
        foreignColumns: ref.foreignColumns.map(pgColumnOf) as [never, ...never[]],
      });
      if (fk.onDelete) built.onDelete(fk.onDelete);
      if (fk.onUpdate) built.onUpdate(fk.onUpdate);
      extra.push(built);
    }
    return extra as never;
  });
  mirrored.set(config.name, mirror as unknown as PgTable);
  return mirror as unknown as PgTable;
}

const entries = Object.entries(sqliteSchema);

/** Every table of the schema, as PostgreSQL's, keyed by the export name (for drizzle-kit and the engine). */
export const postgresTables: Record<string, PgTable> = Object.fromEntries(
  entries.filter(([, v]) => is(v, SQLiteTable)).map(([key, v]) => [key, mirrorTable(v as SQLiteTable)]),
);

/**
 * The schema's exports as repositories read them on PostgreSQL: the mirrored tables in place of SQLite's, the
 * value lists as they are. Typed as the SQLite schema: same names, same columns, same row types.
 */
export const postgresSchema = {
  ...Object.fromEntries(entries),
  ...postgresTables,
} as unknown as Tables;
