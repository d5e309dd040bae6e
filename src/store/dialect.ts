import type { SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema/index.js';
import type { SqliteDb } from './sqlite.js';

// What differs between the engines, seen from a repository. Repositories are written once, with drizzle's query
// builder over the tables in `schema/` (declared with SQLite's column builders, which give the row types). On
// PostgreSQL the same calls run on drizzle's PostgreSQL dialect over tables mirrored from those declarations
// (postgres/schema.ts), so a repository reads its tables from its engine (`this.t`) and never imports them for
// a query. The few SQL fragments the engines spell differently are here.

/** The schema's exports: every table, and the value lists beside them. */
export type Tables = typeof schema;

/** The SQL fragments each engine spells its own way. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Insertion order of a table's rows: the tie-breaker where timestamps are equal. */
  insertionOrder(table: SQLiteTable): SQL;
  /** A text scalar read from a JSON column at a `$.a.b` path, e.g. `jsonText(outbox.origin, '$.escalationId')`. */
  jsonText(column: SQLiteColumn, path: string): SQL<string | null>;
  /** A numeric scalar read from a JSON column at a `$.a.b` path (compared and ordered as a number). */
  jsonNumber(column: SQLiteColumn, path: string): SQL<number | null>;
  /** Case-insensitive prefix match on an id with its dashes removed (short references staff type). */
  idWithoutDashesLike(column: SQLiteColumn, pattern: string): SQL;
  /** The first `length` characters of a text column. */
  textPrefix(column: SQLiteColumn, length: number): SQL;
  /**
   * True when a JSON column holds, among the `params` of the message or of one of its `choices`, a string
   * other than `redacted` under a key not in `kept`: a message with words of a person left in it.
   */
  wordsInParams(column: SQLiteColumn, kept: readonly string[], redacted: string): SQL;
  /**
   * The rows of a claim's inner select, locked so that two instances never claim the same row: PostgreSQL
   * skips rows another transaction holds (`FOR UPDATE SKIP LOCKED`); SQLite has one writer, nothing to add.
   */
  claimable<Q>(select: Q): Q;
  /**
   * Runs a large select and builds each row from its values in the order selected, skipping the ORM's per-field
   * row mapping (which costs more than the query on district-sized reads).
   */
  plainRows<V extends unknown[], T>(query: unknown, build: (values: V) => T): Promise<T[]>;
  /**
   * Compiles a query once for repeated use with `sql.placeholder` values: `execute` gives what awaiting the query
   * gives (rows for a select). `name` is unique in the project: PostgreSQL keeps prepared statements by name.
   */
  prepare<R>(query: unknown, name: string): Prepared<R>;
  /**
   * After rows were written with their own numbers into a table the engine numbers itself (an integer primary
   * key), makes the next number follow the largest one there (a copy between engines).
   */
  continueNumbering(db: SqliteDb, table: SQLiteTable): Promise<void>;
  /** How many rows an insert, update or delete without `returning` touched. */
  affected(result: unknown): number;
}

/** A query compiled once; see `Dialect.prepare`. */
export interface Prepared<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

/**
 * One engine as repositories see it. `db` is typed with drizzle's SQLite builders: on PostgreSQL it is drizzle's
 * PostgreSQL database, which has the same builder methods; repositories await queries (never `.get()`, `.all()`,
 * `.run()` or `.values()`, which only SQLite has) and read `affected` for counts.
 */
export interface Engine {
  readonly db: SqliteDb;
  readonly t: Tables;
  readonly dialect: Dialect;
}
