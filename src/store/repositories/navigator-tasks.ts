import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { NavigatorTaskStatus, navigatorTasks } from '../schema/index.js';
import { Repository } from '../store.js';

export type NavigatorTaskRow = typeof navigatorTasks.$inferSelect;
export type NewNavigatorTask = Omit<NavigatorTaskRow, 'status' | 'doneAt' | 'doneBy'>;

/** What navigators owe families (call requests), with their deadlines. */
export class NavigatorTaskRepository extends Repository {
  /** Stores a task; false when one with the same source key exists already (the same request read twice). */
  async insert(task: NewNavigatorTask): Promise<boolean> {
    const { navigatorTasks } = this.t;
    const rows = await this.db
      .insert(navigatorTasks)
      .values({ ...task, status: 'open' })
      .onConflictDoNothing({ target: navigatorTasks.sourceKey })
      .returning({ id: navigatorTasks.id });
    return rows.length > 0;
  }

  async get(id: string): Promise<NavigatorTaskRow | undefined> {
    const { navigatorTasks } = this.t;
    return (await this.db.select().from(navigatorTasks).where(eq(navigatorTasks.id, id)))[0];
  }

  /** A task by id or by the start of its id (at least 4 characters, dashes ignored); undefined when ambiguous. */
  async byRef(ref: string): Promise<NavigatorTaskRow | undefined> {
    const exact = await this.get(ref);
    if (exact) return exact;
    const prefix = ref.replace(/[^0-9a-z-]/gi, '').toLowerCase();
    if (prefix.length < 4) return undefined;
    const { navigatorTasks } = this.t;
    // lower() on the column too: PostgreSQL's like is case-sensitive, SQLite's is not.
    const matches = await this.db
      .select()
      .from(navigatorTasks)
      .where(sql`lower(${navigatorTasks.id}) like ${`${prefix}%`}`)
      .limit(2);
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** Tasks of some navigators (or everyone's), by status, soonest deadline first. */
  async list(
    options: { navigatorIds?: string[]; status?: NavigatorTaskStatus } = {},
  ): Promise<NavigatorTaskRow[]> {
    if (options.navigatorIds?.length === 0) return [];
    const { navigatorTasks } = this.t;
    return await this.db
      .select()
      .from(navigatorTasks)
      .where(
        and(
          options.navigatorIds ? inArray(navigatorTasks.navigatorId, options.navigatorIds) : undefined,
          options.status ? eq(navigatorTasks.status, options.status) : undefined,
        ),
      )
      .orderBy(asc(navigatorTasks.dueAt), asc(navigatorTasks.id));
  }

  /** Marks an open task done; false when it was done already. */
  async markDone(id: string, by: string, at: number): Promise<boolean> {
    const { navigatorTasks } = this.t;
    const rows = await this.db
      .update(navigatorTasks)
      .set({ status: 'done', doneAt: at, doneBy: by })
      .where(and(eq(navigatorTasks.id, id), eq(navigatorTasks.status, 'open')))
      .returning({ id: navigatorTasks.id });
    return rows.length > 0;
  }

  /** Moves an open task's deadline (a holiday added to the calendar after it was set). */
  async setDue(id: string, dueAt: number): Promise<void> {
    const { navigatorTasks } = this.t;
    await this.db.update(navigatorTasks).set({ dueAt }).where(eq(navigatorTasks.id, id));
  }
}
