import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import type { schools, staff, timers } from '../schema/index.js';
import { Repository } from '../store.js';

export type TimerRow = typeof timers.$inferSelect;
export type TimerStatus = TimerRow['status'];
export type SchoolRow = typeof schools.$inferSelect;
export type StaffRow = typeof staff.$inferSelect;

/** Timers written by one statement of `scheduleMany`: 8 values each, well under either engine's limit. */
export const TIMERS_PER_STATEMENT = 500;

/** A timer to schedule; `uniqueKey` makes scheduling the same job and period twice keep one timer. */
export interface NewTimer {
  id: string;
  kind: string;
  uniqueKey: string;
  fireAt: number;
  sessionId?: string | null;
  sessionVersion?: number | null;
  payload?: Record<string, unknown> | null;
  createdAt: number;
}

/**
 * How a timer ended: its handler ran (`reason` then holds what the handler reported, e.g. 'started'), or it
 * was skipped (stale session, week over, out of office, or the handler's own 'skipped:no_consent').
 */
export interface TimerOutcome {
  result: 'fired' | 'skipped';
  reason?: string;
}

/** A navigator as weekly planning sees them. */
export type PlanningNavigator = Pick<StaffRow, 'id' | 'timezone' | 'oooFrom' | 'oooTo'>;
/** A guardian as weekly planning sees them. */
export interface PlanningGuardian {
  id: string;
  timezone: string;
}

/** A timer's columns as written, its optional fields null. */
function timerValues(timer: NewTimer) {
  return {
    id: timer.id,
    kind: timer.kind,
    uniqueKey: timer.uniqueKey,
    fireAt: timer.fireAt,
    sessionId: timer.sessionId ?? null,
    sessionVersion: timer.sessionVersion ?? null,
    payload: timer.payload ?? null,
    createdAt: timer.createdAt,
  };
}

/** Durable timers, plus the few roster reads the weekly planner and the dispatcher need. */
export class TimerRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  /** Schedules a timer in the caller's transaction; returns its id, or null when its uniqueKey exists. */
  static schedule(tx: DbOrTx, timer: NewTimer): Promise<string | null> {
    return new TimerRepository(tx).schedule(timer);
  }

  async schedule(timer: NewTimer): Promise<string | null> {
    const { timers } = this.t;
    const p = (name: string) => sql.placeholder(name);
    // Every step of a conversation sets its reply timer: compiled once.
    const query = this.prepared<{ id: string }[]>('timers_schedule', () =>
      this.db
        .insert(timers)
        .values({
          id: p('id'),
          kind: p('kind'),
          uniqueKey: p('uniqueKey'),
          fireAt: p('fireAt'),
          sessionId: p('sessionId'),
          sessionVersion: p('sessionVersion'),
          payload: p('payload'),
          createdAt: p('createdAt'),
        })
        .onConflictDoNothing({ target: timers.uniqueKey })
        .returning({ id: timers.id }),
    );
    const rows = await query.execute(timerValues(timer));
    return rows[0]?.id ?? null;
  }

  /**
   * Schedules many timers with one statement per TIMERS_PER_STATEMENT of them (insert-or-ignore on the unique key
   * each); returns the unique keys that were new. One call holds the store until it returns: a caller with
   * thousands of timers calls once per statement's worth (see planWeek), so requests wait for one statement.
   */
  async scheduleMany(batch: NewTimer[]): Promise<Set<string>> {
    const { timers } = this.t;
    const created = new Set<string>();
    for (let i = 0; i < batch.length; i += TIMERS_PER_STATEMENT) {
      const rows = await this.db
        .insert(timers)
        .values(batch.slice(i, i + TIMERS_PER_STATEMENT).map(timerValues))
        .onConflictDoNothing({ target: timers.uniqueKey })
        .returning({ uniqueKey: timers.uniqueKey });
      for (const r of rows) created.add(r.uniqueKey);
    }
    return created;
  }

  async get(id: string): Promise<TimerRow | undefined> {
    const { timers } = this.t;
    return (await this.db.select().from(timers).where(eq(timers.id, id)))[0];
  }

  async getByKey(uniqueKey: string): Promise<TimerRow | undefined> {
    const { timers } = this.t;
    return (await this.db.select().from(timers).where(eq(timers.uniqueKey, uniqueKey)))[0];
  }

  /**
   * Leases due pending timers in one UPDATE ... RETURNING, so two runners never fire the same timer.
   * With `keys`, claims exactly those pending timers whatever their fireAt (a manual run).
   */
  async claim(
    now: number,
    owner: string,
    leaseMs: number,
    limit: number,
    keys?: string[],
  ): Promise<TimerRow[]> {
    const { timers } = this.t;
    const free = or(isNull(timers.leaseUntil), lt(timers.leaseUntil, now));
    const which = keys ? inArray(timers.uniqueKey, keys) : lte(timers.fireAt, now);
    const due = this.dialect.claimable(
      this.db
        .select({ id: timers.id })
        .from(timers)
        .where(and(eq(timers.status, 'pending'), which, free))
        .orderBy(asc(timers.fireAt))
        .limit(limit),
    );
    const rows = await this.db
      .update(timers)
      .set({ leaseOwner: owner, leaseUntil: now + leaseMs })
      .where(inArray(timers.id, due))
      .returning();
    return rows.sort((a, b) => a.fireAt - b.fireAt || a.uniqueKey.localeCompare(b.uniqueKey));
  }

  /**
   * Ends a timer `owner` holds; the outcome is kept in its payload (`outcome`) for `timers list` and audits.
   * False when the timer is no longer ours: our lease ran out and another runner claimed it (or ended it), so
   * what we did for it must not count.
   */
  async finish(timer: TimerRow, owner: string, now: number, outcome: TimerOutcome): Promise<boolean> {
    const { timers } = this.t;
    const payload = { ...((timer.payload as Record<string, unknown> | null) ?? {}), outcome };
    const r = await this.db
      .update(timers)
      .set({ status: 'fired', firedAt: now, payload, leaseOwner: null, leaseUntil: null })
      .where(and(eq(timers.id, timer.id), eq(timers.leaseOwner, owner), eq(timers.status, 'pending')));
    return this.dialect.affected(r) === 1;
  }

  /**
   * Gives a timer `owner` holds back (its handler failed or is missing) to be tried again at `fireAt`. False
   * when another runner holds it now: its lease and schedule are left alone.
   */
  async release(id: string, owner: string, fireAt: number): Promise<boolean> {
    const { timers } = this.t;
    const r = await this.db
      .update(timers)
      .set({ fireAt, leaseOwner: null, leaseUntil: null })
      .where(and(eq(timers.id, id), eq(timers.leaseOwner, owner), eq(timers.status, 'pending')));
    return this.dialect.affected(r) === 1;
  }

  /** Cancels pending timers by unique key (e.g. a session ended before its reminder). */
  async cancel(uniqueKeys: string[]): Promise<number> {
    if (uniqueKeys.length === 0) return 0;
    const { timers } = this.t;
    return this.dialect.affected(
      await this.db
        .update(timers)
        .set({ status: 'cancelled', leaseOwner: null, leaseUntil: null })
        .where(and(inArray(timers.uniqueKey, uniqueKeys), eq(timers.status, 'pending'))),
    );
  }

  /** Soonest first, optionally of one status. */
  async list(
    options: { status?: TimerStatus; limit?: number; keyPrefix?: string } = {},
  ): Promise<TimerRow[]> {
    const { timers } = this.t;
    const conditions = [
      options.status ? eq(timers.status, options.status) : undefined,
      options.keyPrefix
        ? eq(this.dialect.textPrefix(timers.uniqueKey, options.keyPrefix.length), options.keyPrefix)
        : undefined,
    ].filter((c) => c !== undefined);
    return await this.db
      .select()
      .from(timers)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(asc(timers.fireAt), desc(timers.uniqueKey))
      .limit(options.limit ?? 50);
  }

  /** The current version of a dialog session, or undefined when it does not exist. */
  async sessionVersion(sessionId: string): Promise<number | undefined> {
    const { dialogSessions } = this.t;
    return (
      await this.db
        .select({ version: dialogSessions.version })
        .from(dialogSessions)
        .where(eq(dialogSessions.id, sessionId))
    )[0]?.version;
  }

  async school(schoolId: string): Promise<SchoolRow | undefined> {
    const { schools } = this.t;
    return (await this.db.select().from(schools).where(eq(schools.id, schoolId)))[0];
  }

  async schoolIds(): Promise<string[]> {
    const { schools } = this.t;
    const rows = await this.db.select({ id: schools.id }).from(schools).orderBy(asc(schools.id));
    return rows.map((r) => r.id);
  }

  async staffMember(id: string): Promise<StaffRow | undefined> {
    const { staff } = this.t;
    return (await this.db.select().from(staff).where(eq(staff.id, id)))[0];
  }

  /** Active navigators of a school who have at least one active student assigned. */
  async navigatorsOf(schoolId: string): Promise<PlanningNavigator[]> {
    const { assignments, staff, students } = this.t;
    return await this.db
      .selectDistinct({ id: staff.id, timezone: staff.timezone, oooFrom: staff.oooFrom, oooTo: staff.oooTo })
      .from(staff)
      .innerJoin(assignments, eq(assignments.navigatorId, staff.id))
      .innerJoin(students, eq(students.id, assignments.studentId))
      .where(and(eq(staff.schoolId, schoolId), eq(staff.active, true), eq(students.active, true)))
      .orderBy(asc(staff.id));
  }

  /** Guardians of the school's active students who can be texted (a phone, SMS status active). */
  async guardiansOf(schoolId: string): Promise<PlanningGuardian[]> {
    const { guardians, studentGuardians, students } = this.t;
    return await this.db
      .selectDistinct({ id: guardians.id, timezone: guardians.timezone })
      .from(guardians)
      .innerJoin(studentGuardians, eq(studentGuardians.guardianId, guardians.id))
      .innerJoin(students, eq(students.id, studentGuardians.studentId))
      .where(
        and(
          eq(students.schoolId, schoolId),
          eq(students.active, true),
          isNotNull(guardians.phone),
          eq(guardians.smsStatus, 'active'),
        ),
      )
      .orderBy(asc(guardians.id));
  }
}
