import { and, count, eq, gte, lt } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import { Repository } from '../store.js';

/** The instances sharing the database, and the periodic jobs one of them has taken for a period. */
export class InstanceRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  /** Records that `id` is alive at `now` (registering it on its first beat). */
  async heartbeat(id: string, now: number): Promise<void> {
    const { serviceInstances } = this.t;
    await this.db
      .insert(serviceInstances)
      .values({ id, startedAt: now, seenAt: now })
      .onConflictDoUpdate({ target: serviceInstances.id, set: { seenAt: now } });
  }

  /** Instances seen at or after `since` (at least the caller, once it has beaten). */
  async aliveSince(since: number): Promise<number> {
    const { serviceInstances } = this.t;
    const rows = await this.db
      .select({ n: count() })
      .from(serviceInstances)
      .where(gte(serviceInstances.seenAt, since));
    return rows[0]?.n ?? 0;
  }

  /** An instance stopping: the others take up its share at their next beat. Long-dead rows go too. */
  async leave(id: string, forgetBefore: number): Promise<void> {
    const { serviceInstances } = this.t;
    await this.db.delete(serviceInstances).where(eq(serviceInstances.id, id));
    await this.db.delete(serviceInstances).where(lt(serviceInstances.seenAt, forgetBefore));
  }

  /**
   * Takes `job` for `period` for instance `id`: true for the first instance to ask, false for every later one
   * (the key is the table's primary key, so two instances asking at once cannot both get it).
   */
  async takeRun(job: string, period: string, id: string, now: number): Promise<boolean> {
    const { jobRuns } = this.t;
    const taken = await this.db
      .insert(jobRuns)
      .values({ job, period, instanceId: id, startedAt: now })
      .onConflictDoNothing()
      .returning({ job: jobRuns.job });
    return taken.length === 1;
  }

  /** Runs of `job` recorded for periods before `period` are forgotten (they are only a lock). */
  async forgetRuns(job: string, before: string): Promise<number> {
    const { jobRuns } = this.t;
    return this.dialect.affected(
      await this.db.delete(jobRuns).where(and(eq(jobRuns.job, job), lt(jobRuns.period, before))),
    );
  }
}
