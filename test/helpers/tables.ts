import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Tables } from '../../src/store/dialect.js';
import { ENGINE, engineOf, type Handle } from '../../src/store/store.js';

/**
 * The tables as the store's engine declares them. A test that reads or writes rows directly (`engineOf(db)`)
 * names its tables through this, so the same query runs on SQLite and on PostgreSQL.
 */
export function tablesOf(db: Handle): Tables {
  return db[ENGINE].t;
}

/** The names of the schema's tables (its other exports are value lists). */
export type TableName = {
  [K in keyof Tables]: Tables[K] extends SQLiteTable ? K : never;
}[keyof Tables];

/** A row of the named table, as selected. */
export type RowOf<K extends TableName> = Tables[K] extends { $inferSelect: infer R } ? R : never;

/** Every row of a table, read through the store's engine, in no particular order. */
export async function rowsOf<K extends TableName>(db: Handle, name: K): Promise<RowOf<K>[]> {
  const table = tablesOf(db)[name] as SQLiteTable;
  return (await engineOf(db).select().from(table)) as RowOf<K>[];
}
