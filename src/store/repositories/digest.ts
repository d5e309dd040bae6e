import { and, count, eq, gte, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import {
  answers,
  assignments,
  auditLog,
  checkins,
  consents,
  escalations,
  familyTexts,
  guardians,
  needs,
  outbox,
  type SmsStatus,
  smsOptOuts,
  staff,
  studentGuardians,
  students,
} from '../schema/index.js';
import { Repository } from '../store.js';

/** A navigator's check-in of one student in one week, with the answer to "did you connect?" if given. */
export interface NavigatorCheckinFact {
  id: string;
  period: string;
  navigatorId: string;
  studentId: string | null;
  status: (typeof checkins.$inferSelect)['status'];
  /** The `connect` step's answer: 'met', 'unreachable', 'absent', or null when not asked (yet). */
  connect: unknown;
}

/** A guardian of a school's active student, without name or phone. */
export interface FamilyFact {
  guardianId: string;
  locale: string;
  hasPhone: boolean;
  smsStatus: SmsStatus;
  /** The consent in force: the newest record's status, or 'none'. */
  consent: 'granted' | 'revoked' | 'none';
  /** The phone is on the opted-out list (a STOP from the number, whoever it belongs to). */
  phoneOptedOut: boolean;
  createdAt: number;
}

/** A need of a school's student, with the grade (for bands) and nothing that names the student. */
export interface NeedFact {
  id: string;
  grade: string;
  area: (typeof needs.$inferSelect)['area'];
  severity: (typeof needs.$inferSelect)['severity'];
  status: (typeof needs.$inferSelect)['status'];
  hasReferral: boolean;
  createdAt: number;
}

/** An escalation about a school's student or family, with when it was first claimed and resolved (audit log). */
export interface EscalationFact {
  id: string;
  urgent: boolean;
  status: (typeof escalations.$inferSelect)['status'];
  createdAt: number;
  dueAt: number | null;
  updatedAt: number;
  claimedAt: number | null;
  resolvedAt: number | null;
}

/** One cell of the district's needs table before suppression. */
export interface NeedCount {
  schoolId: string;
  grade: string;
  area: string;
  n: number;
}

/**
 * What the lead navigators' digest reads: check-ins, families' texts and replies, needs and escalations of one
 * school, as facts the digest service counts. Read-only; a school's facts never name a student or a guardian.
 */
export class DigestRepository extends Repository {
  /** Active navigators of a school (lead navigators with a caseload check in too). */
  async navigators(schoolId: string): Promise<{ id: string; role: string }[]> {
    return this.db
      .select({ id: staff.id, role: staff.role })
      .from(staff)
      .where(
        and(
          eq(staff.schoolId, schoolId),
          eq(staff.active, true),
          inArray(staff.role, ['navigator', 'lead_navigator']),
        ),
      )
      .orderBy(staff.id)
      .all();
  }

  /** Who is on each navigator's caseload now: active students of the school with a navigator. */
  async caseload(schoolId: string): Promise<{ studentId: string; navigatorId: string }[]> {
    return this.db
      .select({ studentId: assignments.studentId, navigatorId: assignments.navigatorId })
      .from(assignments)
      .innerJoin(students, eq(students.id, assignments.studentId))
      .where(and(eq(students.schoolId, schoolId), eq(students.active, true)))
      .all();
  }

  /** Navigator check-ins of the school's navigators in the given weeks. */
  async navigatorCheckins(schoolId: string, periods: string[]): Promise<NavigatorCheckinFact[]> {
    if (periods.length === 0) return [];
    const rows = this.db
      .select({
        id: checkins.id,
        period: checkins.period,
        navigatorId: checkins.navigatorId,
        studentId: checkins.studentId,
        status: checkins.status,
        connect: answers.value,
      })
      .from(checkins)
      .innerJoin(staff, eq(staff.id, checkins.navigatorId))
      .leftJoin(answers, and(eq(answers.checkinId, checkins.id), eq(answers.stepId, 'connect')))
      .where(
        and(eq(staff.schoolId, schoolId), eq(checkins.kind, 'navigator'), inArray(checkins.period, periods)),
      )
      .orderBy(checkins.id, answers.answeredAt)
      .all();
    // A re-asked question leaves two answers: the later one (last in order) stands.
    const byId = new Map<string, NavigatorCheckinFact>();
    for (const r of rows) byId.set(r.id, { ...r, navigatorId: r.navigatorId! });
    return [...byId.values()];
  }

  /** Guardians of the school's active students. */
  async families(schoolId: string): Promise<FamilyFact[]> {
    return this.db
      .selectDistinct({
        guardianId: guardians.id,
        locale: guardians.locale,
        hasPhone: sql<boolean>`${guardians.phone} is not null`.mapWith(Boolean),
        smsStatus: guardians.smsStatus,
        consent: sql<FamilyFact['consent']>`coalesce((select ${consents.status} from ${consents}
          where ${consents.guardianId} = ${guardians.id} and ${consents.channel} = 'sms'
          order by ${consents.recordedAt} desc, ${consents.id} desc limit 1), 'none')`,
        phoneOptedOut: sql<boolean>`exists (select 1 from ${smsOptOuts}
          where ${smsOptOuts.phone} = ${guardians.phone})`.mapWith(Boolean),
        createdAt: guardians.createdAt,
      })
      .from(guardians)
      .innerJoin(studentGuardians, eq(studentGuardians.guardianId, guardians.id))
      .innerJoin(students, eq(students.id, studentGuardians.studentId))
      .where(and(eq(students.schoolId, schoolId), eq(students.active, true)))
      .orderBy(guardians.id)
      .all();
  }

  /** Texts to the school's families handed to the SMS provider in [from, to), with their outbox status. */
  async familyTexts(
    schoolId: string,
    from: number,
    to: number,
  ): Promise<{ guardianId: string; status: string; sentAt: number }[]> {
    return this.db
      .select({
        guardianId: outbox.recipientId,
        status: outbox.status,
        sentAt: sql<number>`${outbox.sentAt}`,
      })
      .from(outbox)
      .where(
        and(
          eq(outbox.channel, 'sms'),
          eq(outbox.recipientKind, 'guardian'),
          isNotNull(outbox.sentAt),
          gte(outbox.sentAt, from),
          lt(outbox.sentAt, to),
          inArray(outbox.recipientId, this.guardiansOfSchool(schoolId)),
        ),
      )
      .all();
  }

  /** Texts received in [from, to) from numbers no guardian on the roster has: the district's to read. */
  async unknownNumberTexts(from: number, to: number): Promise<number> {
    const row = this.db
      .select({ n: count() })
      .from(familyTexts)
      .where(
        and(
          isNull(familyTexts.guardianId),
          gte(familyTexts.receivedAt, from),
          lt(familyTexts.receivedAt, to),
        ),
      )
      .get();
    return row?.n ?? 0;
  }

  /** Families that wrote back in [from, to): an answer in their check-in, or a text kept for the navigator. */
  async familyReplies(schoolId: string, from: number, to: number): Promise<{ guardianId: string }[]> {
    const answered = this.db
      .select({ answeredBy: answers.answeredBy })
      .from(answers)
      .where(
        and(
          gte(answers.answeredAt, from),
          lt(answers.answeredAt, to),
          inArray(
            answers.answeredBy,
            this.db
              .select({ by: sql<string>`'guardian:' || ${studentGuardians.guardianId}` })
              .from(studentGuardians)
              .innerJoin(students, eq(students.id, studentGuardians.studentId))
              .where(eq(students.schoolId, schoolId)),
          ),
        ),
      )
      .all()
      .map((r) => ({ guardianId: r.answeredBy.slice('guardian:'.length) }));
    // Every text a family sends is kept in family_texts, whatever it meant (an answer, a note, STOP).
    const wrote = this.db
      .select({ guardianId: familyTexts.guardianId })
      .from(familyTexts)
      .where(
        and(
          gte(familyTexts.receivedAt, from),
          lt(familyTexts.receivedAt, to),
          inArray(familyTexts.guardianId, this.guardiansOfSchool(schoolId)),
        ),
      )
      .all()
      .flatMap((r) => (r.guardianId ? [{ guardianId: r.guardianId }] : []));
    return [...answered, ...wrote];
  }

  /** Guardians of the school whose consent to be texted was revoked (an opt-out) in [from, to). */
  async optOuts(schoolId: string, from: number, to: number): Promise<string[]> {
    return this.db
      .selectDistinct({ guardianId: consents.guardianId })
      .from(consents)
      .where(
        and(
          eq(consents.status, 'revoked'),
          gte(consents.recordedAt, from),
          lt(consents.recordedAt, to),
          inArray(consents.guardianId, this.guardiansOfSchool(schoolId)),
        ),
      )
      .all()
      .map((r) => r.guardianId);
  }

  /** Every need of the school's students (open and closed), with the student's grade. */
  async needs(schoolId: string): Promise<NeedFact[]> {
    return this.db
      .select({
        id: needs.id,
        grade: students.grade,
        area: needs.area,
        severity: needs.severity,
        status: needs.status,
        hasReferral: sql<boolean>`${needs.referralServiceId} is not null`.mapWith(Boolean),
        createdAt: needs.createdAt,
      })
      .from(needs)
      .innerJoin(students, eq(students.id, needs.studentId))
      .where(eq(students.schoolId, schoolId))
      .all();
  }

  /** Escalations about the school's students or their families, with first claim and resolve from the audit log. */
  async escalations(schoolId: string): Promise<EscalationFact[]> {
    const actions = this.db
      .select({
        escalationId: auditLog.entityId,
        claimedAt: sql<number | null>`min(case when ${auditLog.action} = 'claim' then ${auditLog.at} end)`.as(
          'claimed_at',
        ),
        resolvedAt: sql<
          number | null
        >`min(case when ${auditLog.action} = 'resolve' then ${auditLog.at} end)`.as('resolved_at'),
      })
      .from(auditLog)
      .where(eq(auditLog.entity, 'escalation'))
      .groupBy(auditLog.entityId)
      .as('actions');
    const schoolStudents = this.db
      .select({ id: students.id })
      .from(students)
      .where(eq(students.schoolId, schoolId));
    return this.db
      .select({
        id: escalations.id,
        urgent: escalations.urgent,
        status: escalations.status,
        createdAt: escalations.createdAt,
        dueAt: escalations.dueAt,
        updatedAt: escalations.updatedAt,
        claimedAt: actions.claimedAt,
        resolvedAt: actions.resolvedAt,
      })
      .from(escalations)
      .leftJoin(actions, eq(actions.escalationId, escalations.id))
      .where(
        or(
          inArray(escalations.studentId, schoolStudents),
          inArray(escalations.guardianId, this.guardiansOfSchool(schoolId)),
        ),
      )
      .all();
  }

  /** Needs of the whole district counted by school, grade and area (any status): the cabinet's raw table. */
  async needCounts(): Promise<NeedCount[]> {
    return this.db
      .select({ schoolId: students.schoolId, grade: students.grade, area: needs.area, n: count() })
      .from(needs)
      .innerJoin(students, eq(students.id, needs.studentId))
      .groupBy(students.schoolId, students.grade, needs.area)
      .all();
  }

  private guardiansOfSchool(schoolId: string) {
    return this.db
      .select({ id: studentGuardians.guardianId })
      .from(studentGuardians)
      .innerJoin(students, eq(students.id, studentGuardians.studentId))
      .where(eq(students.schoolId, schoolId));
  }
}
