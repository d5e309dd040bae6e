import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { guardians, schools, staff, studentGuardians, students } from '../schema/index.js';
import { type Actor, AuditedRepository } from './audit.js';

export type SchoolRow = typeof schools.$inferSelect;
export type StaffRow = typeof staff.$inferSelect;
export type StudentRow = typeof students.$inferSelect;
export type GuardianRow = typeof guardians.$inferSelect;
type LinkRow = typeof studentGuardians.$inferSelect;

/** The fields of a school that the roster owns (schedules are set elsewhere); a phone left out is kept. */
export type SchoolInput = Pick<SchoolRow, 'id' | 'name' | 'timezone'> & { phone?: string | null };
/** The fields of a staff member that the roster owns (not the Teams conversation, not out-of-office). */
export type StaffInput = Pick<
  StaffRow,
  'id' | 'schoolId' | 'name' | 'email' | 'role' | 'slackUserId' | 'teamsUserId' | 'timezone' | 'locale'
>;
export type StudentInput = Pick<StudentRow, 'id' | 'schoolId' | 'firstName' | 'lastName' | 'grade'>;
/** The fields of a guardian that the roster owns; the SMS status follows from the phone (see upsertGuardian). */
export type GuardianInput = Pick<GuardianRow, 'id' | 'name' | 'phone' | 'locale' | 'timezone'>;
/** One student–guardian link as the roster states it. */
export interface GuardianLink {
  guardianId: string;
  relationship: string | null;
}

export type Change = 'created' | 'updated' | 'unchanged';
/** What an upsert did, with the row before (when it existed) and after. */
export interface Upserted<T> {
  change: Change;
  before?: T;
  row: T;
}
/** What assigning a navigator did: 'moved' when the student had another navigator before. */
export interface Assigned {
  change: 'assigned' | 'moved' | 'unassigned' | 'unchanged';
  from: string | null;
  to: string | null;
}
export interface LinksChanged {
  added: number;
  removed: number;
  updated: number;
}

/** A guardian as seen from one student, with the link's relationship. */
export type LinkedGuardian = GuardianRow & { relationship: string | null };

function pick<T extends object>(row: Record<string, unknown>, keys: (keyof T)[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k as string] = row[k as string];
  return out as Partial<T>;
}

function changedKeys<T extends object>(want: T, have: Record<string, unknown>): (keyof T)[] {
  return (Object.keys(want) as (keyof T)[]).filter((k) => (want[k] ?? null) !== (have[k as string] ?? null));
}

/**
 * Schools, staff, students, guardians, their links and navigator assignments.
 * Every write is audit-logged here, in the same transaction, so no caller can forget it.
 */
export class RosterRepository extends AuditedRepository {
  // Look-ups by id, compiled once per engine: an import reads per row, every text and click reads its person.
  private get q() {
    const { assignments, guardians, schools, staff, studentGuardians, students } = this.t;
    const id = sql.placeholder('id');
    return {
      school: () =>
        this.prepared<SchoolRow[]>('roster_school_by_id', () =>
          this.db.select().from(schools).where(eq(schools.id, id)),
        ),
      staff: () =>
        this.prepared<StaffRow[]>('roster_staff_by_id', () =>
          this.db.select().from(staff).where(eq(staff.id, id)),
        ),
      student: () =>
        this.prepared<StudentRow[]>('roster_student_by_id', () =>
          this.db.select().from(students).where(eq(students.id, id)),
        ),
      guardian: () =>
        this.prepared<GuardianRow[]>('roster_guardian_by_id', () =>
          this.db.select().from(guardians).where(eq(guardians.id, id)),
        ),
      navigator: () =>
        this.prepared<{ n: string }[]>('roster_navigator_of_student', () =>
          this.db
            .select({ n: assignments.navigatorId })
            .from(assignments)
            .where(eq(assignments.studentId, id)),
        ),
      links: () =>
        this.prepared<LinkRow[]>('roster_links_of_student', () =>
          this.db.select().from(studentGuardians).where(eq(studentGuardians.studentId, id)),
        ),
      guardiansOf: () =>
        this.prepared<{ g: GuardianRow; relationship: string | null }[]>('roster_guardians_of_student', () =>
          this.db
            .select({ g: guardians, relationship: studentGuardians.relationship })
            .from(studentGuardians)
            .innerJoin(guardians, eq(guardians.id, studentGuardians.guardianId))
            .where(eq(studentGuardians.studentId, id))
            .orderBy(asc(studentGuardians.createdAt), this.dialect.insertionOrder(studentGuardians)),
        ),
    };
  }

  // --- writes -------------------------------------------------------------------------------------

  async upsertSchool(input: SchoolInput, by: Actor): Promise<Upserted<SchoolRow>> {
    const { schools } = this.t;
    return this.upsert('school', input, await this.school(input.id), by, {
      insert: async () => {
        await this.db.insert(schools).values({ ...input, createdAt: by.at, updatedAt: by.at });
      },
      update: async (set) => {
        await this.db.update(schools).set(set).where(eq(schools.id, input.id));
      },
      read: async () => (await this.school(input.id))!,
    });
  }

  async upsertStaff(input: StaffInput, by: Actor): Promise<Upserted<StaffRow>> {
    const { staff } = this.t;
    const want = { ...input, email: input.email.toLowerCase() };
    return this.upsert('staff', want, await this.staffById(input.id), by, {
      insert: async () => {
        await this.db.insert(staff).values({ ...want, createdAt: by.at, updatedAt: by.at });
      },
      update: async (set) => {
        await this.db.update(staff).set(set).where(eq(staff.id, input.id));
      },
      read: async () => (await this.staffById(input.id))!,
    });
  }

  async upsertStudent(input: StudentInput, by: Actor): Promise<Upserted<StudentRow>> {
    const { students } = this.t;
    return this.upsert('student', input, await this.student(input.id), by, {
      insert: async () => {
        await this.db.insert(students).values({ ...input, createdAt: by.at, updatedAt: by.at });
      },
      update: async (set) => {
        await this.db.update(students).set(set).where(eq(students.id, input.id));
      },
      read: async () => (await this.student(input.id))!,
    });
  }

  /**
   * Creates or updates a guardian. Without a phone the guardian is 'unreachable'; a new phone makes an
   * 'unreachable' or 'invalid' guardian 'active' again. An opt-out is the family's choice and is never
   * undone by the roster, not even when the phone changes.
   */
  async upsertGuardian(input: GuardianInput, by: Actor): Promise<Upserted<GuardianRow>> {
    const { guardians } = this.t;
    const existing = await this.guardian(input.id);
    let smsStatus: GuardianRow['smsStatus'];
    if (!existing) smsStatus = input.phone ? 'active' : 'unreachable';
    else if (existing.smsStatus === 'opted_out') smsStatus = 'opted_out';
    else if (!input.phone) smsStatus = 'unreachable';
    else if (input.phone !== existing.phone) smsStatus = 'active';
    else smsStatus = existing.smsStatus === 'unreachable' ? 'active' : existing.smsStatus;
    const want = { ...input, smsStatus };
    return this.upsert('guardian', want, existing, by, {
      insert: async () => {
        await this.db.insert(guardians).values({ ...want, createdAt: by.at, updatedAt: by.at });
      },
      update: async (set) => {
        await this.db.update(guardians).set(set).where(eq(guardians.id, input.id));
      },
      read: async () => (await this.guardian(input.id))!,
    });
  }

  /** Makes a student's guardians exactly `links`: adds, removes and relabels links, audit-logging each. */
  async setGuardians(studentId: string, links: GuardianLink[], by: Actor): Promise<LinksChanged> {
    const { studentGuardians } = this.t;
    const have = new Map((await this.q.links().execute({ id: studentId })).map((l) => [l.guardianId, l]));
    const result: LinksChanged = { added: 0, removed: 0, updated: 0 };
    const entityId = (g: string) => `${studentId}:${g}`;
    for (const link of links) {
      const old = have.get(link.guardianId);
      have.delete(link.guardianId);
      if (!old) {
        await this.db.insert(studentGuardians).values({ studentId, ...link, createdAt: by.at });
        await this.log('student_guardian', entityId(link.guardianId), 'link', null, link, by);
        result.added++;
      } else if ((old.relationship ?? null) !== (link.relationship ?? null)) {
        await this.db
          .update(studentGuardians)
          .set({ relationship: link.relationship })
          .where(
            and(eq(studentGuardians.studentId, studentId), eq(studentGuardians.guardianId, link.guardianId)),
          );
        const before = { guardianId: old.guardianId, relationship: old.relationship };
        await this.log('student_guardian', entityId(link.guardianId), 'update', before, link, by);
        result.updated++;
      }
    }
    for (const old of have.values()) {
      await this.db
        .delete(studentGuardians)
        .where(
          and(eq(studentGuardians.studentId, studentId), eq(studentGuardians.guardianId, old.guardianId)),
        );
      const before = { guardianId: old.guardianId, relationship: old.relationship };
      await this.log('student_guardian', entityId(old.guardianId), 'unlink', before, null, by);
      result.removed++;
    }
    return result;
  }

  /** Puts a student on a navigator's caseload (null: on none). A change of navigator is a 'move'. */
  async assignNavigator(studentId: string, navigatorId: string | null, by: Actor): Promise<Assigned> {
    const { assignments } = this.t;
    const from = await this.navigatorOf(studentId);
    const to = navigatorId;
    if (from === to) return { change: 'unchanged', from, to };
    if (to === null) {
      await this.db.delete(assignments).where(eq(assignments.studentId, studentId));
      await this.log('assignment', studentId, 'unassign', { navigatorId: from }, null, by);
      return { change: 'unassigned', from, to };
    }
    await this.db
      .insert(assignments)
      .values({ studentId, navigatorId: to, assignedAt: by.at })
      .onConflictDoUpdate({ target: assignments.studentId, set: { navigatorId: to, assignedAt: by.at } });
    const action = from === null ? 'assign' : 'move';
    await this.log(
      'assignment',
      studentId,
      action,
      from === null ? null : { navigatorId: from },
      { navigatorId: to },
      by,
    );
    return { change: from === null ? 'assigned' : 'moved', from, to };
  }

  // --- reads --------------------------------------------------------------------------------------

  async school(id: string): Promise<SchoolRow | undefined> {
    return (await this.q.school().execute({ id }))[0];
  }

  /** All schools, by name. */
  async schools(): Promise<SchoolRow[]> {
    const { schools } = this.t;
    return await this.db.select().from(schools).orderBy(asc(schools.name), asc(schools.id));
  }

  async staffById(id: string): Promise<StaffRow | undefined> {
    return (await this.q.staff().execute({ id }))[0];
  }

  // Every Slack or Teams event starts by finding its staff member: compiled once.
  async staffBySlackId(slackUserId: string): Promise<StaffRow | undefined> {
    const { staff } = this.t;
    const query = this.prepared<StaffRow[]>('roster_staff_by_slack_id', () =>
      this.db
        .select()
        .from(staff)
        .where(eq(staff.slackUserId, sql.placeholder('id')))
        .limit(1),
    );
    return (await query.execute({ id: slackUserId }))[0];
  }

  async staffByTeamsId(teamsUserId: string): Promise<StaffRow | undefined> {
    const { staff } = this.t;
    const query = this.prepared<StaffRow[]>('roster_staff_by_teams_id', () =>
      this.db
        .select()
        .from(staff)
        .where(eq(staff.teamsUserId, sql.placeholder('id')))
        .limit(1),
    );
    return (await query.execute({ id: teamsUserId }))[0];
  }

  /** Emails are stored lower-case; the look-up ignores case. */
  async staffByEmail(email: string): Promise<StaffRow | undefined> {
    const { staff } = this.t;
    return (
      await this.db.select().from(staff).where(eq(staff.email, email.trim().toLowerCase())).limit(1)
    )[0];
  }

  /** All staff, or those with one of `roles`, by id. */
  async staffList(roles?: StaffRow['role'][]): Promise<StaffRow[]> {
    const { staff } = this.t;
    const q = this.db.select().from(staff);
    return await (roles ? q.where(inArray(staff.role, roles)) : q).orderBy(asc(staff.id));
  }

  async student(id: string): Promise<StudentRow | undefined> {
    return (await this.q.student().execute({ id }))[0];
  }

  /** All students, by id. */
  async studentList(): Promise<StudentRow[]> {
    const { students } = this.t;
    return await this.db.select().from(students).orderBy(asc(students.id));
  }

  async guardian(id: string): Promise<GuardianRow | undefined> {
    return (await this.q.guardian().execute({ id }))[0];
  }

  /** Guardians reached at one E.164 number (two guardians may share a phone). */
  async guardiansByPhone(e164: string): Promise<GuardianRow[]> {
    const { guardians } = this.t;
    const query = this.prepared<GuardianRow[]>('roster_guardians_by_phone', () =>
      this.db
        .select()
        .from(guardians)
        .where(eq(guardians.phone, sql.placeholder('phone')))
        .orderBy(asc(guardians.id)),
    );
    return await query.execute({ phone: e164 });
  }

  /** A student's guardians in the order they were linked. */
  async guardiansOf(studentId: string): Promise<LinkedGuardian[]> {
    const rows = await this.q.guardiansOf().execute({ id: studentId });
    return rows.map((r) => ({ ...r.g, relationship: r.relationship }));
  }

  /** The students a guardian is linked to, by id. */
  async studentsOfGuardian(guardianId: string): Promise<StudentRow[]> {
    const { studentGuardians, students } = this.t;
    const rows = await this.db
      .select({ s: students })
      .from(studentGuardians)
      .innerJoin(students, eq(students.id, studentGuardians.studentId))
      .where(eq(studentGuardians.guardianId, guardianId))
      .orderBy(asc(students.id));
    return rows.map((r) => r.s);
  }

  /** The navigator a student is assigned to, or null. */
  async navigatorOf(studentId: string): Promise<string | null> {
    return (await this.q.navigator().execute({ id: studentId }))[0]?.n ?? null;
  }

  /** A navigator's active students, by last and first name. */
  async caseloadOf(navigatorId: string): Promise<StudentRow[]> {
    const { assignments, students } = this.t;
    const rows = await this.db
      .select({ s: students })
      .from(assignments)
      .innerJoin(students, eq(students.id, assignments.studentId))
      .where(and(eq(assignments.navigatorId, navigatorId), eq(students.active, true)))
      .orderBy(asc(students.lastName), asc(students.firstName), asc(students.id));
    return rows.map((r) => r.s);
  }

  /** Number of active students per navigator. */
  async caseloadSizes(): Promise<Map<string, number>> {
    const { assignments, students } = this.t;
    const rows = await this.db
      .select({ navigatorId: assignments.navigatorId, n: count().mapWith(Number) })
      .from(assignments)
      .innerJoin(students, eq(students.id, assignments.studentId))
      .where(eq(students.active, true))
      .groupBy(assignments.navigatorId);
    return new Map(rows.map((r) => [r.navigatorId, r.n]));
  }

  // --- helpers ------------------------------------------------------------------------------------

  private async upsert<T extends { id: string }, R extends object>(
    entity: string,
    want: T,
    existing: R | undefined,
    by: Actor,
    ops: {
      insert: () => Promise<void>;
      update: (set: Partial<T> & { updatedAt: number }) => Promise<void>;
      read: () => Promise<R>;
    },
  ): Promise<Upserted<R>> {
    const keys = Object.keys(want) as (keyof T)[];
    if (!existing) {
      await ops.insert();
      await this.log(entity, want.id, 'create', null, want, by);
      return { change: 'created', row: await ops.read() };
    }
    const changed = changedKeys(want, existing as Record<string, unknown>);
    if (changed.length === 0) return { change: 'unchanged', before: existing, row: existing };
    await ops.update({ ...pick<T>(want as Record<string, unknown>, changed), updatedAt: by.at });
    await this.log(entity, want.id, 'update', pick<T>(existing as Record<string, unknown>, keys), want, by);
    return { change: 'updated', before: existing, row: await ops.read() };
  }

  private async log(
    entity: string,
    entityId: string,
    action: string,
    before: unknown,
    after: unknown,
    by: Actor,
  ) {
    await this.audit.append({ entity, entityId, action, before, after, ...by });
  }
}
