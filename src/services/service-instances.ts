import type { AppContext } from '../context.js';
import { errorName } from '../lib/logger.js';
import { InstanceRepository } from '../store/repositories/instances.js';

// Several instances of the service may share one PostgreSQL database (docs/deploy.md). Each writes a heartbeat;
// the relays divide the platforms' rates by the instances alive, and a periodic job runs on the first instance
// to take its period. On SQLite there is one instance, and the same code counts one.

/** How often an instance says it is alive. */
export const HEARTBEAT_MS = 10_000;
/** An instance not heard from for this long is gone: the others take up its share of the rates. */
export const ALIVE_MS = 30_000;

/** This instance among those sharing the database. */
export interface ServiceInstances {
  readonly id: string;
  /** Instances alive at the last heartbeat, this one included (at least 1). */
  count(): number;
  /** Writes the heartbeat and reads how many are alive. */
  beat(): Promise<number>;
  /** The first beat, then one every HEARTBEAT_MS until `stop`. */
  start(): Promise<void>;
  /** Stops the heartbeat and leaves, so the others take up the share at once. */
  stop(): Promise<void>;
  /** True when this instance takes `job` for `period`; false when another already has. */
  takeRun(job: string, period: string): Promise<boolean>;
}

export function createServiceInstances(ctx: AppContext, id = `instance-${ctx.ids()}`): ServiceInstances {
  const repo = new InstanceRepository(ctx.db);
  let alive = 1;
  let timer: NodeJS.Timeout | undefined;

  async function beat(): Promise<number> {
    const now = ctx.clock();
    await repo.heartbeat(id, now);
    alive = Math.max(1, await repo.aliveSince(now - ALIVE_MS));
    return alive;
  }

  return {
    id,
    count: () => alive,
    beat,
    async start() {
      await beat();
      timer = setInterval(() => {
        beat().catch((err: unknown) =>
          ctx.logger.warn({ err: errorName(err) }, 'instances: heartbeat failed; keeping the last count'),
        );
      }, HEARTBEAT_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await repo.leave(id, ctx.clock() - 24 * 3_600_000).catch(() => undefined);
    },
    takeRun: (job, period) => repo.takeRun(job, period, id, ctx.clock()),
  };
}
