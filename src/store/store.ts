import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import type { Dialect, Engine, Prepared, Tables } from './dialect.js';
import {
  type BackupResult,
  backupSqlite,
  closeSqlite,
  mapSqliteError,
  openSqlite,
  type SqliteDb,
  sqliteAnswers,
  sqliteEngine,
  sqliteSchemaVersion,
  sqliteTransactions,
} from './sqlite.js';

// The async seam between services and the database. Services write
// `await store.transaction(async (tx) => { await new NeedRepository(tx).recordNeed(…) })` and never learn which
// engine answers.
//
// One SQLite connection is shared by the whole process, and a transaction on it is connection-wide: any
// statement issued while it is open joins it. So transactions must not interleave. Every use of the
// connection — a transaction, or a single repository call outside one — waits its turn on one queue
// (`exclusive`). Code running inside a transaction holds the connection (AsyncLocalStorage marks the async
// context), so a repository call made there, even on the root store, runs at once and joins the transaction
// instead of waiting for itself. A transaction must never await the network: it holds the queue meanwhile.

/** @internal where a handle keeps its engine; only src/store reads it. */
export const ENGINE = Symbol('engine');

/** What a repository is built on: the store itself, or a transaction in progress. */
export interface Handle {
  /** @internal the engine (query handle, tables, dialect); only repositories in src/store read it. */
  readonly [ENGINE]: Engine;
  /** True for a transaction in progress: its repositories run at once, the queue is already held. */
  readonly held: boolean;
  /** Runs `fn` in a nested transaction (a savepoint inside one already open). */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

/** A transaction in progress. Repositories built on it run inside it. */
export interface Tx extends Handle {
  readonly held: true;
}

/** The mark of a job holding a store's connection, open while the job runs. */
interface Holding {
  store: Store;
  open: boolean;
}

/** One piece of work waiting for the connection. A barrier runs alone, outside any transaction. */
interface Job {
  kind: 'tx' | 'plain' | 'barrier';
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

// Group commit: work that queued up while the connection was busy runs as savepoints of one transaction and
// commits with one fsync. Each caller still hears back only after the commit that made its work durable, and
// a failing one rolls back to its own savepoint alone. A group is cut after this many jobs or this much time,
// and the event loop gets a turn between groups, so requests keep being read while the queue drains.
const GROUP_MAX_JOBS = 200;
const GROUP_MAX_MS = 8;
// A caller that awaits one job after another (the timer runner catching up a day's timers) finds the queue empty
// each time and would keep the thread on promise callbacks alone: requests and timers waited until it stopped
// (5 s for a tick of 16,000 timers). After this long without a turn, the next job waits for one.
const TURN_AFTER_MS = 10;

/** The database of the service, whatever the engine: one per process. */
export abstract class Store implements Handle {
  abstract readonly [ENGINE]: Engine;
  readonly held = false;
  /** Which engine answers (for /healthz, logs and the few commands only one engine has). */
  abstract readonly engine: Engine['dialect']['name'];
  /** Runs `work` with the connection to itself where the engine needs that, or at once when the caller holds it. */
  abstract exclusive<T>(work: () => T | Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction: all its writes commit together or none do. Nested calls become savepoints.
   * A unique-key conflict surfaces as `UniqueViolation`.
   */
  abstract transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Schema version (applied migrations), for /healthz and start-up logs. */
  abstract schemaVersion(): Promise<number>;
  /** True when the database answers a trivial query. */
  abstract answers(): Promise<boolean>;
  /** Waits for work in progress, then closes the connection(s). Closing twice is harmless. */
  abstract close(): Promise<void>;
}

/** The SQLite database of the service: one connection, shared through one queue (docs/store.md). */
export class SqliteStore extends Store {
  readonly [ENGINE]: Engine;
  readonly engine = 'sqlite' as const;
  /**
   * Marks the async context of the job holding the connection. A callback created inside a job (a timer, a
   * promise left running) keeps that context after the job ended, so the mark says whether it still holds.
   */
  private readonly holder = new AsyncLocalStorage<Holding>();
  private readonly jobs: Job[] = [];
  private draining = false;
  private depth = 0;
  private groups = 0;
  private closed = false;
  /** When the event loop last had a turn before this store's jobs (see TURN_AFTER_MS). */
  private lastTurn = 0;

  constructor(db: SqliteDb) {
    super();
    this[ENGINE] = sqliteEngine(db);
  }

  /** Runs `work` alone on the connection, or at once when the caller already holds it. */
  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    if (this.holds()) return runMapped(work);
    return this.enqueue('plain', work);
  }

  /**
   * Runs `fn` in one transaction: all its writes commit together or none do. Nested calls become savepoints.
   * A unique-key conflict surfaces as `UniqueViolation`.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.holds()) return this.savepoint(fn);
    return this.enqueue('tx', () => fn(this.tx()));
  }

  /** Schema version (applied migrations), for /healthz and start-up logs. */
  schemaVersion(): Promise<number> {
    return this.enqueue('barrier', () => sqliteSchemaVersion(this[ENGINE].db));
  }

  /** True when the database answers a trivial query. */
  answers(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.enqueue('barrier', () => sqliteAnswers(this[ENGINE].db));
  }

  /**
   * An online backup to `file`, checked by opening the copy and running an integrity check. It waits its turn
   * on the connection, so the copy holds whole transactions only.
   */
  backup(file: string): Promise<BackupResult> {
    return this.enqueue('barrier', () => backupSqlite(this[ENGINE].db, file));
  }

  /** Waits for work in progress, then closes the connection. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.enqueue('barrier', () => undefined);
    closeSqlite(this[ENGINE].db);
  }

  private enqueue<T>(kind: Job['kind'], work: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ kind, work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        if (performance.now() - this.lastTurn < TURN_AFTER_MS) void this.drain();
        else
          setImmediate(() => {
            this.lastTurn = performance.now();
            void this.drain();
          });
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.jobs.length > 0) {
        const first = this.jobs[0]!;
        // Work alone in the queue runs as it did before grouping: no savepoint, no extra transaction.
        if (first.kind === 'barrier' || (first.kind === 'plain' && this.jobs.length === 1)) {
          this.jobs.shift();
          await this.settle(first, () => this.holding(() => runMapped(first.work)));
        } else if (first.kind === 'tx' && this.jobs.length === 1) {
          this.jobs.shift();
          await this.settle(first, () => this.holding(() => runMapped(() => this.alone(first.work))));
        } else await this.group();
        // A turn for the event loop (sockets, timers) before the next group.
        if (this.jobs.length > 0) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          this.lastTurn = performance.now();
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async settle(job: Job, run: () => Promise<unknown>): Promise<void> {
    try {
      job.resolve(await run());
    } catch (err) {
      job.reject(err);
    }
  }

  /** One transaction on its own: BEGIN, the work, COMMIT (or ROLLBACK). */
  private async alone(work: () => unknown): Promise<unknown> {
    const db = this[ENGINE].db;
    sqliteTransactions.begin(db);
    try {
      const result = await work();
      sqliteTransactions.commit(db);
      return result;
    } catch (err) {
      sqliteTransactions.rollback(db);
      throw err;
    }
  }

  /** Queued jobs as savepoints of one transaction, answered after its one commit. */
  private async group(): Promise<void> {
    const db = this[ENGINE].db;
    const done: Array<{ job: Job; ok: true; value: unknown } | { job: Job; ok: false; err: unknown }> = [];
    const started = performance.now();
    let lost: unknown;
    try {
      sqliteTransactions.begin(db);
    } catch (err) {
      // No lock (another process held it past busy_timeout): the first job hears why, as it would alone.
      this.jobs.shift()!.reject(mapSqliteError(err));
      return;
    }
    while (
      this.jobs.length > 0 &&
      this.jobs[0]!.kind !== 'barrier' &&
      done.length < GROUP_MAX_JOBS &&
      (done.length === 0 || performance.now() - started < GROUP_MAX_MS)
    ) {
      const job = this.jobs.shift()!;
      const name = `g${++this.groups}`;
      sqliteTransactions.savepoint(db, name);
      try {
        const value = await this.holding(() => job.work());
        sqliteTransactions.release(db, name);
        done.push({ job, ok: true, value });
      } catch (err) {
        if (sqliteTransactions.open(db)) {
          sqliteTransactions.rollbackTo(db, name);
          done.push({ job, ok: false, err: mapSqliteError(err) });
        } else {
          // SQLite ended the whole transaction (I/O error, disk full): the work before it is gone too.
          done.push({ job, ok: false, err: mapSqliteError(err) });
          lost = mapSqliteError(err);
          break;
        }
      }
    }
    if (lost === undefined)
      try {
        sqliteTransactions.commit(db);
      } catch (err) {
        sqliteTransactions.rollback(db);
        lost = mapSqliteError(err);
      }
    for (const d of done) {
      if (!d.ok) d.job.reject(d.err);
      else if (lost !== undefined) d.job.reject(lost);
      else d.job.resolve(d.value);
    }
  }

  private async savepoint<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const db = this[ENGINE].db;
    const name = `sp${++this.depth}`;
    sqliteTransactions.savepoint(db, name);
    try {
      const result = await fn(this.tx());
      sqliteTransactions.release(db, name);
      return result;
    } catch (err) {
      sqliteTransactions.rollbackTo(db, name);
      throw mapSqliteError(err);
    } finally {
      this.depth--;
    }
  }

  /** True in the async context of the job holding the connection now. */
  private holds(): boolean {
    const holding = this.holder.getStore();
    return holding !== undefined && holding.store === this && holding.open;
  }

  /** Runs one job holding the connection; the mark is dropped when it ends. */
  private async holding<T>(work: () => T | Promise<T>): Promise<T> {
    const holding: Holding = { store: this, open: true };
    try {
      return await this.holder.run(holding, work);
    } finally {
      holding.open = false;
    }
  }

  private tx(): Tx {
    return { [ENGINE]: this[ENGINE], held: true, transaction: (fn) => this.savepoint(fn) };
  }
}

async function runMapped<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw mapSqliteError(err);
  }
}

/**
 * A value given when a prepared update runs, for `update().set()`: drizzle's types take placeholders only in
 * inserts and conditions, but it fills a placeholder in `set` through the column's mapping like any value.
 */
export function setLater<T>(name: string): T {
  return sql.placeholder(name) as unknown as T;
}

/** Prepared queries by engine (one for SQLite's connection; one per PostgreSQL transaction), then by name. */
const PREPARED = new WeakMap<Engine, Map<string, Prepared<unknown>>>();

/**
 * Base of every repository. Its methods are async and query `this.db` directly. Built on the root store, each
 * public method call waits its turn on the connection's queue (so it never lands inside another caller's open
 * transaction); built on a transaction, calls run at once inside it.
 */
export abstract class Repository {
  private readonly handle: Handle;

  /** The query handle: a query is awaited, whatever the engine (see dialect.ts). */
  protected get db(): SqliteDb {
    return this.handle[ENGINE].db;
  }

  /** The tables, as this engine declares them: every query names its tables through this. */
  protected get t(): Tables {
    return this.handle[ENGINE].t;
  }

  /** The SQL fragments this engine spells its own way, and how it counts affected rows. */
  protected get dialect(): Dialect {
    return this.handle[ENGINE].dialect;
  }

  /**
   * The query `build` makes, compiled once per engine and kept by `name` (unique in the project, prefixed with
   * the repository), for queries on hot paths: repositories are made per call, and building a drizzle query
   * costs more than running it. `build` uses `this.db` and `this.t` with `sql.placeholder` values.
   */
  protected prepared<R>(name: string, build: () => unknown): Prepared<R> {
    const engine = this.handle[ENGINE];
    let queries = PREPARED.get(engine);
    if (!queries) {
      queries = new Map();
      PREPARED.set(engine, queries);
    }
    let query = queries.get(name) as Prepared<R> | undefined;
    if (!query) {
      query = engine.dialect.prepare<R>(build(), name);
      queries.set(name, query);
    }
    return query;
  }

  constructor(handle: Handle) {
    this.handle = handle;
    if (handle.held || !(handle instanceof Store)) return;
    const store = handle;
    // biome-ignore lint/correctness/noConstructorReturn: the queued view is what callers must get.
    return new Proxy(this, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || property === 'constructor') return value;
        return (...args: unknown[]) => store.exclusive(() => value.apply(target, args));
      },
    });
  }
}

/** Opens the SQLite database at `path` (or ':memory:'), applying pending migrations unless told not to. */
export function openStore(path: string, options: { migrate?: boolean } = {}): SqliteStore {
  return new SqliteStore(openSqlite(path, options));
}

/** The engine's own handle, for the store's tests and the benchmark's raw baseline only. */
export function engineOf(handle: Handle): SqliteDb {
  return handle[ENGINE].db;
}
