import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, lte, or } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import {
  assignments,
  dialogSessions,
  guardians,
  schools,
  staff,
  studentGuardians,
  students,
  timers,
} from '../schema/index.js';
import { textPrefix } from '../sqlite.js';
import { Repository } from '../store.js';

export type TimerRow = typeof timers.$inferSelect;
export type TimerStatus = TimerRow['status'];
export type SchoolRow = typeof schools.$inferSelect;
export type StaffRow = typeof staff.$inferSelect;

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
    const rows = this.db
      .insert(timers)
      .values({
        id: timer.id,
        kind: timer.kind,
        uniqueKey: timer.uniqueKey,
        fireAt: timer.fireAt,
        sessionId: timer.sessionId ?? null,
        sessionVersion: timer.sessionVersion ?? null,
        payload: timer.payload ?? null,
        createdAt: timer.createdAt,
      })
      .onConflictDoNothing({ target: timers.uniqueKey })
      .returning({ id: timers.id })
      .all();
    return rows[0]?.id ?? null;
  }

  async get(id: string): Promise<TimerRow | undefined> {
    return this.db.select().from(timers).where(eq(timers.id, id)).get();
  }

  async getByKey(uniqueKey: string): Promise<TimerRow | undefined> {
    return this.db.select().from(timers).where(eq(timers.uniqueKey, uniqueKey)).get();
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
    const free = or(isNull(timers.leaseUntil), lt(timers.leaseUntil, now));
    const which = keys ? inArray(timers.uniqueKey, keys) : lte(timers.fireAt, now);
    const due = this.db
      .select({ id: timers.id })
      .from(timers)
      .where(and(eq(timers.status, 'pending'), which, free))
      .orderBy(asc(timers.fireAt))
      .limit(limit);
    return this.db
      .update(timers)
      .set({ leaseOwner: owner, leaseUntil: now + leaseMs })
      .where(inArray(timers.id, due))
      .returning()
      .all()
      .sort((a, b) => a.fireAt - b.fireAt || a.uniqueKey.localeCompare(b.uniqueKey));
  }

  /** Ends a timer; the outcome is kept in its payload (`outcome`) for `timers list` and audits. */
  async finish(timer: TimerRow, now: number, outcome: TimerOutcome): Promise<void> {
    const payload = { ...((timer.payload as Record<string, unknown> | null) ?? {}), outcome };
    this.db
      .update(timers)
      .set({ status: 'fired', firedAt: now, payload, leaseOwner: null, leaseUntil: null })
      .where(eq(timers.id, timer.id))
      .run();
  }

  /** Gives a timer back (its handler failed or is missing) to be tried again at `fireAt`. */
  async release(id: string, fireAt: number): Promise<void> {
    this.db.update(timers).set({ fireAt, leaseOwner: null, leaseUntil: null }).where(eq(timers.id, id)).run();
  }

  /** Cancels pending timers by unique key (e.g. a session ended before its reminder). */
  async cancel(uniqueKeys: string[]): Promise<number> {
    if (uniqueKeys.length === 0) return 0;
    return this.db
      .update(timers)
      .set({ status: 'cancelled', leaseOwner: null, leaseUntil: null })
      .where(and(inArray(timers.uniqueKey, uniqueKeys), eq(timers.status, 'pending')))
      .run().changes;
  }

  /** Soonest first, optionally of one status. */
  async list(
    options: { status?: TimerStatus; limit?: number; keyPrefix?: string } = {},
  ): Promise<TimerRow[]> {
    const conditions = [
      options.status ? eq(timers.status, options.status) : undefined,
      options.keyPrefix
        ? eq(textPrefix(timers.uniqueKey, options.keyPrefix.length), options.keyPrefix)
        : undefined,
    ].filter((c) => c !== undefined);
    return this.db
      .select()
      .from(timers)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(asc(timers.fireAt), desc(timers.uniqueKey))
      .limit(options.limit ?? 50)
      .all();
  }

  /** The current version of a dialog session, or undefined when it does not exist. */
  async sessionVersion(sessionId: string): Promise<number | undefined> {
    return this.db
      .select({ version: dialogSessions.version })
      .from(dialogSessions)
      .where(eq(dialogSessions.id, sessionId))
      .get()?.version;
  }

  async school(schoolId: string): Promise<SchoolRow | undefined> {
    return this.db.select().from(schools).where(eq(schools.id, schoolId)).get();
  }

  async schoolIds(): Promise<string[]> {
    return this.db
      .select({ id: schools.id })
      .from(schools)
      .orderBy(asc(schools.id))
      .all()
      .map((r) => r.id);
  }

  async staffMember(id: string): Promise<StaffRow | undefined> {
    return this.db.select().from(staff).where(eq(staff.id, id)).get();
  }

  /** Active navigators of a school who have at least one active student assigned. */
  async navigatorsOf(schoolId: string): Promise<PlanningNavigator[]> {
    return this.db
      .selectDistinct({ id: staff.id, timezone: staff.timezone, oooFrom: staff.oooFrom, oooTo: staff.oooTo })
      .from(staff)
      .innerJoin(assignments, eq(assignments.navigatorId, staff.id))
      .innerJoin(students, eq(students.id, assignments.studentId))
      .where(and(eq(staff.schoolId, schoolId), eq(staff.active, true), eq(students.active, true)))
      .orderBy(asc(staff.id))
      .all();
  }

  /** Guardians of the school's active students who can be texted (a phone, SMS status active). */
  async guardiansOf(schoolId: string): Promise<PlanningGuardian[]> {
    return this.db
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
      .orderBy(asc(guardians.id))
      .all();
  }
}
