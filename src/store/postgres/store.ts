import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { Engine } from '../dialect.js';
import { ENGINE, Store, type Tx } from '../store.js';
import {
  mapPostgresError,
  mustRetry,
  openPostgres,
  type PostgresDb,
  postgresAnswers,
  postgresEngine,
  postgresSchemaVersion,
} from './engine.js';

// The store on PostgreSQL: a pool of connections, so work runs side by side (no queue as on SQLite's one
// connection). Code running inside a transaction holds that transaction's client: an AsyncLocalStorage marks
// the async context, and a repository built on the root store there reads its engine from it, so the call
// joins the transaction instead of taking a second connection that would wait on the first one's row locks.
//
// Transactions run REPEATABLE READ: several instances may run the same service code on the same rows at once,
// and the services were written against SQLite's one writer (read a session, check it, write it). Each
// transaction reads one snapshot, and of two that update the same row the second is aborted (40001) instead of
// overwriting the first; a deadlock (40P01) likewise; and one whose insert a unique key refused because a
// concurrent one wrote the key first (it read "not there" from its snapshot). The store runs such a transaction
// again from the start, so a transaction's body must do nothing but database work (docs/store.md: never the
// network). SERIALIZABLE was measured first: its predicate locks also aborted texts that touched no common
// row, and under 50 concurrent inbound texts some ran out of retries (docs/store.md).

/** Attempts of one transaction before its conflict is reported. */
const ATTEMPTS = 10;

export class PostgresStore extends Store {
  readonly engine = 'postgres' as const;
  private readonly base: Engine;
  /**
   * The transaction this async context runs in. A callback created inside one (a timer, a promise left running)
   * keeps the context after the transaction ended: `open` says whether it still may use its client.
   */
  private readonly holder = new AsyncLocalStorage<{ engine: Engine; open: boolean }>();
  private closed = false;
  /** Work in progress on the pool, which `close` waits for. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly pool: pg.Pool,
    db: PostgresDb,
  ) {
    super();
    this.base = postgresEngine(db);
  }

  /** The transaction this async context runs in, else the pool. */
  get [ENGINE](): Engine {
    return this.current() ?? this.base;
  }

  /** The engine of the transaction this context holds open, if any. */
  private current(): Engine | undefined {
    const held = this.holder.getStore();
    return held?.open ? held.engine : undefined;
  }

  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    return this.track(async () => {
      try {
        return await work();
      } catch (err) {
        throw mapPostgresError(err);
      }
    });
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const current = this.current();
    if (current) return this.nested(current, fn);
    return this.track(() => this.isolated(fn));
  }

  private async isolated<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await (this.base.db as unknown as PostgresDb).transaction(
          (client) => this.within(client as unknown as PostgresDb, fn),
          { isolationLevel: 'repeatable read' },
        );
      } catch (err) {
        if (attempt >= ATTEMPTS || !mustRetry(err, attempt)) throw mapPostgresError(err);
        // Spread the retries of the transactions that collided, so they do not collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  schemaVersion(): Promise<number> {
    return postgresSchemaVersion(this.pool);
  }

  answers(): Promise<boolean> {
    return this.closed ? Promise.resolve(false) : postgresAnswers(this.pool);
  }

  /** Waits for work in progress, then closes the pool. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await this.pool.end();
  }

  /** Runs `work` counted as in progress (a call inside a transaction is counted with it). */
  private track<T>(work: () => Promise<T>): Promise<T> {
    if (this.current()) return work();
    const run = work();
    this.running.add(run);
    const done = () => this.running.delete(run);
    run.then(done, done);
    return run;
  }

  /** A savepoint inside the transaction this context holds. */
  private async nested<T>(current: Engine, fn: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await (current.db as unknown as PostgresDb).transaction((client) =>
        this.within(client as unknown as PostgresDb, fn),
      );
    } catch (err) {
      throw mapPostgresError(err);
    }
  }

  private async within<T>(client: PostgresDb, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const held = { engine: postgresEngine(client), open: true };
    const tx: Tx = {
      [ENGINE]: held.engine,
      held: true,
      transaction: (inner) => this.holder.run(held, () => this.nested(held.engine, inner)),
    };
    try {
      return await this.holder.run(held, () => fn(tx));
    } finally {
      held.open = false;
    }
  }
}

/** Connects to PostgreSQL at `url`, applying pending migrations unless told not to. */
export async function openPostgresStore(
  url: string,
  options: { migrate?: boolean; poolSize?: number } = {},
): Promise<PostgresStore> {
  const { pool, db } = await openPostgres(url, options);
  return new PostgresStore(pool, db);
}
