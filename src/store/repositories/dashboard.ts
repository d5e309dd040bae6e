import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { NEED_AREAS, NEED_SEVERITIES, NEED_STATUSES } from '../../vocabulary.js';
import type { referrals } from '../schema/index.js';
import { Repository } from '../store.js';

/** A student on a navigator's caseload, with this week's check-in and how many needs are open. */
export interface CaseloadRow {
  studentId: string;
  firstName: string;
  lastName: string;
  grade: string;
  /** This week's navigator check-in status, or null when none was planned. */
  status: string | null;
  openNeeds: number;
}

/** A need as the dashboard lists it: what, how serious, where it stands; no question, answer or note. */
export interface NeedListRow {
  id: string;
  studentId: string;
  firstName: string;
  lastName: string;
  grade: string;
  schoolId: string;
  navigatorId: string | null;
  area: (typeof NEED_AREAS)[number];
  severity: (typeof NEED_SEVERITIES)[number];
  tier: number;
  status: (typeof NEED_STATUSES)[number];
  source: string;
  referralServiceId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A referral as the dashboard lists it: the need's area, the service, where it stands; no notes or reasons. */
export interface ReferralListRow {
  id: string;
  needId: string;
  studentId: string;
  firstName: string;
  lastName: string;
  grade: string;
  schoolId: string;
  navigatorId: string | null;
  area: (typeof NEED_AREAS)[number];
  severity: (typeof NEED_SEVERITIES)[number];
  serviceName: string;
  status: (typeof referrals.$inferSelect)['status'];
  followUpAnswer: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Filters of a needs or referrals list; every one optional. */
export interface NeedFilter {
  schoolId?: string;
  area?: string;
  severity?: string;
  status?: string;
  navigatorId?: string;
  limit?: number;
}

/**
 * What the lead navigators' dashboard lists beyond the digest's counts: one navigator's caseload, needs and
 * referrals with filters. Read-only; names are returned for the service to trim to what the viewer may see.
 */
export class DashboardRepository extends Repository {
  /** Active students of `schoolId` on `navigatorId`'s caseload now, with their check-in of `period`. */
  async caseload(schoolId: string, navigatorId: string, period: string): Promise<CaseloadRow[]> {
    const { assignments, checkins, needs, students } = this.t;
    return await this.db
      .select({
        studentId: students.id,
        firstName: students.firstName,
        lastName: students.lastName,
        grade: students.grade,
        status: sql<string | null>`(select ${checkins.status} from ${checkins}
          where ${checkins.studentId} = ${students.id} and ${checkins.navigatorId} = ${navigatorId}
            and ${checkins.kind} = 'navigator' and ${checkins.period} = ${period} limit 1)`,
        openNeeds: sql<number>`(select count(*) from ${needs}
          where ${needs.studentId} = ${students.id} and ${needs.status} not in ('resolved', 'declined'))`.mapWith(
          Number,
        ),
      })
      .from(assignments)
      .innerJoin(students, eq(students.id, assignments.studentId))
      .where(
        and(
          eq(assignments.navigatorId, navigatorId),
          eq(students.schoolId, schoolId),
          eq(students.active, true),
        ),
      )
      .orderBy(asc(students.firstName), asc(students.id));
  }

  /** A staff member's name and school, to title a caseload page. */
  async navigator(id: string): Promise<{ id: string; name: string; schoolId: string | null } | undefined> {
    const { staff } = this.t;
    return (
      await this.db
        .select({ id: staff.id, name: staff.name, schoolId: staff.schoolId })
        .from(staff)
        .where(eq(staff.id, id))
    )[0];
  }

  /** Names of a school's navigators and lead navigators (all of them when no school is given). */
  async navigatorNames(schoolId?: string): Promise<{ id: string; name: string; schoolId: string | null }[]> {
    const { staff } = this.t;
    return await this.db
      .select({ id: staff.id, name: staff.name, schoolId: staff.schoolId })
      .from(staff)
      .where(
        and(
          inArray(staff.role, ['navigator', 'lead_navigator']),
          schoolId ? eq(staff.schoolId, schoolId) : undefined,
        ),
      )
      .orderBy(asc(staff.name));
  }

  /** Needs matching `filter`, newest first, at most `filter.limit`. */
  async needs(filter: NeedFilter): Promise<NeedListRow[]> {
    const { assignments, needs, students } = this.t;
    const where: (SQL | undefined)[] = [
      filter.schoolId ? eq(students.schoolId, filter.schoolId) : undefined,
      filter.area ? eq(needs.area, filter.area as NeedListRow['area']) : undefined,
      filter.severity ? eq(needs.severity, filter.severity as NeedListRow['severity']) : undefined,
      filter.status ? eq(needs.status, filter.status as NeedListRow['status']) : undefined,
      filter.navigatorId ? eq(assignments.navigatorId, filter.navigatorId) : undefined,
    ];
    const query = this.db
      .select({
        id: needs.id,
        studentId: students.id,
        firstName: students.firstName,
        lastName: students.lastName,
        grade: students.grade,
        schoolId: students.schoolId,
        navigatorId: assignments.navigatorId,
        area: needs.area,
        severity: needs.severity,
        tier: needs.tier,
        status: needs.status,
        source: needs.source,
        referralServiceId: needs.referralServiceId,
        createdAt: needs.createdAt,
        updatedAt: needs.updatedAt,
      })
      .from(needs)
      .innerJoin(students, eq(students.id, needs.studentId))
      .leftJoin(assignments, eq(assignments.studentId, students.id))
      .where(and(...where))
      .orderBy(desc(needs.createdAt), asc(needs.id));
    return await (filter.limit ? query.limit(filter.limit) : query);
  }

  /** Referrals of needs matching `filter` (status is the referral's), newest first, at most `filter.limit`. */
  async referrals(filter: NeedFilter): Promise<ReferralListRow[]> {
    const { assignments, needs, referrals, services, students } = this.t;
    const query = this.db
      .select({
        id: referrals.id,
        needId: needs.id,
        studentId: students.id,
        firstName: students.firstName,
        lastName: students.lastName,
        grade: students.grade,
        schoolId: students.schoolId,
        navigatorId: assignments.navigatorId,
        area: needs.area,
        severity: needs.severity,
        serviceName: services.name,
        status: referrals.status,
        followUpAnswer: referrals.followUpAnswer,
        createdAt: referrals.createdAt,
        updatedAt: referrals.updatedAt,
      })
      .from(referrals)
      .innerJoin(needs, eq(needs.id, referrals.needId))
      .innerJoin(students, eq(students.id, needs.studentId))
      .innerJoin(services, eq(services.id, referrals.serviceId))
      .leftJoin(assignments, eq(assignments.studentId, students.id))
      .where(
        and(
          filter.schoolId ? eq(students.schoolId, filter.schoolId) : undefined,
          filter.area ? eq(needs.area, filter.area as ReferralListRow['area']) : undefined,
          filter.severity ? eq(needs.severity, filter.severity as ReferralListRow['severity']) : undefined,
          filter.status ? eq(referrals.status, filter.status as ReferralListRow['status']) : undefined,
          filter.navigatorId ? eq(assignments.navigatorId, filter.navigatorId) : undefined,
        ),
      )
      .orderBy(desc(referrals.createdAt), asc(referrals.id));
    return await (filter.limit ? query.limit(filter.limit) : query);
  }
}
