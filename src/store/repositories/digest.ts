import { and, type Column, count, eq, gte, inArray, isNotNull, or, type SQL, sql } from 'drizzle-orm';
import { ATTEMPTED_CONNECT_ANSWERS, CONNECT_STEP } from '../../vocabulary.js';
import type { Tables } from '../dialect.js';
import type { escalations, needs, referrals } from '../schema/index.js';
import { Repository } from '../store.js';

// Every read takes the schools of the digest at once and tags each fact with its school, so a district of a
// hundred schools costs a few set-based queries rather than a round of queries per school and week. Time
// windows are the union of the schools' windows; the service cuts each school's own week out of them.

/** A staff member of a school: the school their check-ins count for, and whether they are an active navigator. */
export interface StaffFact {
  id: string;
  schoolId: string;
  /** Active navigator or lead navigator: one line in the digest. */
  navigates: boolean;
}

/**
 * A navigator's caseload now in a school (its active students assigned to them), and how many of those
 * students they checked in with in the digest's week.
 */
export interface CaseloadFact {
  schoolId: string;
  navigatorId: string;
  students: number;
  checked: number;
}

/** A navigator's check-ins of one week, counted; `notReached` are completed ones whose latest `connect` answer says the student was not reached. */
export interface NavigatorCheckinCounts {
  navigatorId: string;
  period: string;
  total: number;
  completed: number;
  notReached: number;
  skipped: number;
  missed: number;
  open: number;
}

/** A need of a school's student, with the grade (for bands) and nothing that names the student. */
export interface NeedFact {
  id: string;
  grade: string;
  area: (typeof needs.$inferSelect)['area'];
  severity: (typeof needs.$inferSelect)['severity'];
  status: (typeof needs.$inferSelect)['status'];
  /** When the need was first referred (a referral not declined), from the referrals table; null if never. */
  referredAt: number | null;
  createdAt: number;
}

/** A referral of a school's student's need: where it stands, when made, changed, and what the family said. */
export interface ReferralFact {
  id: string;
  status: (typeof referrals.$inferSelect)['status'];
  followUpAnswer: (typeof referrals.$inferSelect)['followUpAnswer'];
  createdAt: number;
  updatedAt: number;
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

export type InSchool<T> = T & { schoolId: string };

/** The schools whose facts are read: some, or every school of the district (no list to check against). */
export type Schools = string[] | 'all';

export function none(schools: Schools): boolean {
  return schools !== 'all' && schools.length === 0;
}

/**
 * A count or timestamp as the engine gave it in a plain row, where no field mapping applies: PostgreSQL's
 * bigint and numeric values may arrive as strings.
 */
export function num(value: unknown): number {
  return Number(value);
}

/** `num`, keeping null. */
export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Belongs to one of the schools; every school's rows have one. */
export function inSchools(column: Column, schools: Schools): SQL {
  return schools === 'all' ? isNotNull(column) : inArray(column, schools);
}

/** A check-in's latest answer to the `connect` step: a re-asked question leaves two answers, the later stands. */
function latestConnect(t: Tables, checkinId: Column): SQL {
  const { answers } = t;
  return sql`(select ${answers.value} from ${answers}
      where ${answers.checkinId} = ${checkinId} and ${answers.stepId} = ${CONNECT_STEP}
      order by ${answers.answeredAt} desc limit 1)`;
}

/** The stored `connect` answers that say the navigator tried and did not reach the student. */
function attemptedAnswers(): SQL {
  return sql.join(
    [...ATTEMPTED_CONNECT_ANSWERS].map((a) => sql`${JSON.stringify(a)}`),
    sql`, `,
  );
}

/**
 * What the lead navigators' digest reads: check-ins, families' texts and replies, needs and escalations of a
 * set of schools, as facts the digest service counts. Read-only; a school's facts never name a student or a
 * guardian.
 */
export class DigestRepository extends Repository {
  /** Staff of the schools, by id. */
  async staff(schools: Schools): Promise<StaffFact[]> {
    if (none(schools)) return [];
    const { staff } = this.t;
    return await this.db
      .select({
        id: staff.id,
        schoolId: sql<string>`${staff.schoolId}`,
        navigates:
          sql<boolean>`${eq(staff.active, true)} and ${inArray(staff.role, ['navigator', 'lead_navigator'])}`.mapWith(
            Boolean,
          ),
      })
      .from(staff)
      .where(inSchools(staff.schoolId, schools))
      .orderBy(staff.id);
  }

  /** Caseloads now, by school and navigator, with the students of them checked in with in `week`. */
  async caseloads(schools: Schools, week: string): Promise<CaseloadFact[]> {
    if (none(schools)) return [];
    const { assignments, checkins, students } = this.t;
    const checked = sql<number>`coalesce(sum(case when exists (select 1 from ${checkins}
      where ${checkins.studentId} = ${assignments.studentId} and ${checkins.period} = ${week}
        and ${checkins.navigatorId} = ${assignments.navigatorId} and ${checkins.kind} = 'navigator')
      then 1 else 0 end), 0)`.mapWith(Number);
    const fields = {
      schoolId: students.schoolId,
      navigatorId: assignments.navigatorId,
      students: count(),
      checked,
    };
    const active = and(inSchools(students.schoolId, schools), eq(students.active, true));
    // A district reads every caseload in the order the assignments are stored (a cross join keeps them
    // first), which costs less than finding them through its students; a few schools start from their students.
    const query =
      schools === 'all'
        ? this.db
            .select(fields)
            .from(assignments)
            .crossJoin(students)
            .where(and(eq(students.id, assignments.studentId), active))
            .groupBy(students.schoolId, assignments.navigatorId)
        : this.db
            .select(fields)
            .from(assignments)
            .innerJoin(students, eq(students.id, assignments.studentId))
            .where(active)
            .groupBy(students.schoolId, assignments.navigatorId);
    return this.dialect.plainRows(
      query,
      (v: [string, string, number, number]): CaseloadFact => ({
        schoolId: v[0],
        navigatorId: v[1],
        students: num(v[2]),
        checked: num(v[3]),
      }),
    );
  }

  /** Navigator check-ins of the schools' staff in the given weeks, counted by navigator and week. */
  async navigatorCheckinCounts(schools: Schools, periods: string[]): Promise<NavigatorCheckinCounts[]> {
    if (none(schools) || periods.length === 0) return [];
    const { checkins } = this.t;
    const tally = (cond: SQL) =>
      sql<number>`coalesce(sum(case when ${cond} then 1 else 0 end), 0)`.mapWith(Number);
    // A district's not-reached check-ins are found from the few not-reached answers; a few schools' check-ins
    // each look up their own latest answer, which costs less than reading the district's answers.
    const district = schools === 'all';
    const notReached = district ? await this.notReachedCounts(periods) : undefined;
    const fields = {
      navigatorId: checkins.navigatorId,
      period: checkins.period,
      total: count(),
      completed: tally(sql`${checkins.status} = 'completed'`),
      notReached: district
        ? sql<number>`0`.mapWith(Number)
        : tally(
            sql`${checkins.status} = 'completed' and ${latestConnect(this.t, checkins.id)} in (${attemptedAnswers()})`,
          ),
      skipped: tally(sql`${checkins.status} = 'skipped'`),
      missed: tally(sql`${checkins.status} = 'missed'`),
      open: tally(sql`${checkins.status} in ('pending', 'in_progress')`),
    };
    return this.dialect.plainRows(
      this.db
        .select(fields)
        .from(checkins)
        .where(this.navigatorCheckinsOf(schools, periods))
        .groupBy(checkins.navigatorId, checkins.period),
      (v: [string, string, number, number, number, number, number, number]): NavigatorCheckinCounts => ({
        navigatorId: v[0],
        period: v[1],
        total: num(v[2]),
        completed: num(v[3]),
        notReached: notReached ? (notReached.get(`${v[0]} ${v[1]}`) ?? 0) : num(v[4]),
        skipped: num(v[5]),
        missed: num(v[6]),
        open: num(v[7]),
      }),
    );
  }

  /**
   * The district's completed navigator check-ins whose latest `connect` answer says the student was not
   * reached, by navigator and week: one pass over those answers (index `answers_step_value_idx`), each joined to
   * its check-in, instead of a look-up of every check-in's latest answer.
   */
  private async notReachedCounts(periods: string[]): Promise<Map<string, number>> {
    const { answers, checkins } = this.t;
    // The check-in's latest answer: none later, nor one at the same moment that its index orders after it
    // (the answer the look-up of `latestConnect` picks).
    const later = sql`exists (select 1 from ${answers} later
      where later.checkin_id = ${answers.checkinId} and later.step_id = ${CONNECT_STEP}
        and (later.answered_at > ${answers.answeredAt}
          or (later.answered_at = ${answers.answeredAt} and later.value > ${answers.value})))`;
    const query = this.db
      // Two answers at the same moment with the same value are one check-in.
      .select({
        navigatorId: checkins.navigatorId,
        period: checkins.period,
        n: sql<number>`count(distinct ${answers.checkinId})`.mapWith(Number),
      })
      .from(answers)
      // A cross join keeps the answers first: the database would otherwise walk every check-in.
      .crossJoin(checkins)
      .where(
        and(
          eq(answers.stepId, CONNECT_STEP),
          sql`${answers.value} in (${attemptedAnswers()})`,
          eq(checkins.id, answers.checkinId),
          eq(checkins.status, 'completed'),
          this.navigatorCheckinsOf('all', periods),
          sql`not ${later}`,
        ),
      )
      .groupBy(checkins.navigatorId, checkins.period);
    const rows = await this.dialect.plainRows(query, (v: [string, string, number]) => v);
    return new Map(rows.map(([navigator, period, n]) => [`${navigator} ${period}`, num(n)]));
  }

  /** Every need of the school's students (open and closed), with the student's grade. */
  async needs(schoolId: string): Promise<NeedFact[]> {
    return (await this.schoolNeeds([schoolId])).map(({ schoolId: _, ...need }) => need);
  }

  /**
   * Needs of the schools' students, by school: the open ones, and the closed ones created from `createdFrom`
   * on (all of them when it is not given).
   */
  async schoolNeeds(schools: Schools, createdFrom?: number): Promise<InSchool<NeedFact>[]> {
    if (none(schools)) return [];
    const { needs, referrals, students } = this.t;
    const fields = {
      schoolId: students.schoolId,
      id: needs.id,
      grade: students.grade,
      area: needs.area,
      severity: needs.severity,
      status: needs.status,
      referredAt: sql<
        number | null
      >`(select min(r.created_at) from ${referrals} r where r.need_id = ${needs.id} and r.status != 'declined')`.mapWith(
        Number,
      ),
      createdAt: needs.createdAt,
    };
    return this.dialect.plainRows(
      this.db
        .select(fields)
        .from(needs)
        .innerJoin(students, eq(students.id, needs.studentId))
        .where(
          and(
            inSchools(students.schoolId, schools),
            createdFrom === undefined
              ? undefined
              : or(sql`${needs.status} not in ('resolved', 'declined')`, gte(needs.createdAt, createdFrom)),
          ),
        ),
      (
        v: [
          string,
          string,
          string,
          NeedFact['area'],
          NeedFact['severity'],
          NeedFact['status'],
          number | null,
          number,
        ],
      ): InSchool<NeedFact> => ({
        schoolId: v[0],
        id: v[1],
        grade: v[2],
        area: v[3],
        severity: v[4],
        status: v[5],
        referredAt: numOrNull(v[6]),
        createdAt: num(v[7]),
      }),
    );
  }

  /**
   * Escalations about the schools' students or their families, with first claim and resolve from the audit
   * log; one row per school the escalation belongs to (a family with children in two schools, both).
   */
  async escalations(schools: Schools): Promise<InSchool<EscalationFact>[]> {
    if (none(schools)) return [];
    const { auditLog, escalations, studentGuardians, students } = this.t;
    const actions = this.db
      .select({
        escalationId: auditLog.entityId,
        claimedAt: sql<number | null>`min(case when ${auditLog.action} = 'claim' then ${auditLog.at} end)`
          .mapWith(Number)
          .as('claimed_at'),
        resolvedAt: sql<number | null>`min(case when ${auditLog.action} = 'resolve' then ${auditLog.at} end)`
          .mapWith(Number)
          .as('resolved_at'),
      })
      .from(auditLog)
      .where(eq(auditLog.entity, 'escalation'))
      .groupBy(auditLog.entityId)
      .as('actions');
    const facts = await this.db
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
          inArray(
            escalations.studentId,
            this.db.select({ id: students.id }).from(students).where(inSchools(students.schoolId, schools)),
          ),
          inArray(escalations.guardianId, this.guardiansOf(schools)),
        ),
      );
    if (facts.length === 0) return [];
    const byStudent = await this.db
      .selectDistinct({ id: escalations.id, schoolId: students.schoolId })
      .from(escalations)
      .innerJoin(students, eq(students.id, escalations.studentId))
      .where(inSchools(students.schoolId, schools));
    const byFamily = await this.db
      .selectDistinct({ id: escalations.id, schoolId: students.schoolId })
      .from(escalations)
      .innerJoin(studentGuardians, eq(studentGuardians.guardianId, escalations.guardianId))
      .innerJoin(students, eq(students.id, studentGuardians.studentId))
      .where(inSchools(students.schoolId, schools));
    const schoolsOf = new Map<string, Set<string>>();
    for (const { id, schoolId } of [...byStudent, ...byFamily])
      schoolsOf.set(id, (schoolsOf.get(id) ?? new Set()).add(schoolId));
    return facts.flatMap((f) => [...(schoolsOf.get(f.id) ?? [])].map((schoolId) => ({ ...f, schoolId })));
  }

  /** Referrals of the needs of the schools' students, whatever their status, by school. */
  async referrals(schools: Schools): Promise<InSchool<ReferralFact>[]> {
    if (none(schools)) return [];
    const { needs, referrals, students } = this.t;
    return await this.db
      .select({
        schoolId: students.schoolId,
        id: referrals.id,
        status: referrals.status,
        followUpAnswer: referrals.followUpAnswer,
        createdAt: referrals.createdAt,
        updatedAt: referrals.updatedAt,
      })
      .from(referrals)
      .innerJoin(needs, eq(needs.id, referrals.needId))
      .innerJoin(students, eq(students.id, needs.studentId))
      .where(inSchools(students.schoolId, schools));
  }

  /** Needs of the whole district counted by school, grade and area (any status): the cabinet's raw table. */
  async needCounts(): Promise<NeedCount[]> {
    const { needs, students } = this.t;
    return await this.db
      .select({ schoolId: students.schoolId, grade: students.grade, area: needs.area, n: count() })
      .from(needs)
      .innerJoin(students, eq(students.id, needs.studentId))
      .groupBy(students.schoolId, students.grade, needs.area);
  }

  private navigatorCheckinsOf(schools: Schools, periods: string[]) {
    const { checkins, staff } = this.t;
    return and(
      inArray(
        checkins.navigatorId,
        this.db.select({ id: staff.id }).from(staff).where(inSchools(staff.schoolId, schools)),
      ),
      eq(checkins.kind, 'navigator'),
      inArray(checkins.period, periods),
    );
  }

  /** The guardians of the schools' students, as a subquery. */
  protected guardiansOf(schools: Schools) {
    const { studentGuardians, students } = this.t;
    const all = this.db.select({ id: studentGuardians.guardianId }).from(studentGuardians);
    if (schools === 'all') return all;
    return all
      .innerJoin(students, eq(students.id, studentGuardians.studentId))
      .where(inSchools(students.schoolId, schools));
  }
}
