import { and, desc, eq, gte, inArray, isNull, notInArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import type { referrals } from '../schema/index.js';
import { Repository } from '../store.js';
import type { NeedRow } from './needs.js';

export type ReferralRow = typeof referrals.$inferSelect;
export type NewReferral = Omit<typeof referrals.$inferInsert, 'updatedAt'>;

/** A referral with what a list shows beside it: the need's student and area, the service's name. */
export interface ReferralListing {
  referral: ReferralRow;
  studentId: string;
  schoolId: string;
  area: NeedRow['area'];
  serviceName: string;
}

const CLOSED = ['resolved', 'declined'] as const;

interface AwaitingRow {
  referral: ReferralRow;
  area: NeedRow['area'];
  studentId: string;
}

/** Matches a row by its id, or by the short reference staff type (the id's first characters, no dashes). */
function refPattern(ref: string): string | undefined {
  const prefix = ref.replace(/[^0-9a-z]/gi, '').toLowerCase();
  if (prefix.length === 0) return undefined;
  // A reference shorter than 4 characters must match a (short) id whole; longer ones may be a prefix.
  return prefix.length < 4 ? prefix : `${prefix}%`;
}

/** Referrals of needs to services, and the need fields a referral moves. */
export class ReferralRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  async referral(id: string): Promise<ReferralRow | undefined> {
    const { referrals } = this.t;
    return (await this.db.select().from(referrals).where(eq(referrals.id, id)))[0];
  }

  /** A referral by id or short reference; undefined when none or several match. */
  async referralByRef(ref: string): Promise<ReferralRow | undefined> {
    const exact = await this.referral(ref);
    if (exact) return exact;
    const pattern = refPattern(ref);
    if (!pattern) return undefined;
    const { referrals } = this.t;
    const rows = await this.db
      .select()
      .from(referrals)
      .where(this.dialect.idWithoutDashesLike(referrals.id, pattern))
      .limit(2);
    return rows.length === 1 ? rows[0] : undefined;
  }

  /** A need by id or short reference; undefined when none or several match. */
  async needByRef(ref: string): Promise<NeedRow | undefined> {
    const { needs } = this.t;
    const [exact] = await this.db.select().from(needs).where(eq(needs.id, ref));
    if (exact) return exact;
    const pattern = refPattern(ref);
    if (!pattern) return undefined;
    const rows = await this.db
      .select()
      .from(needs)
      .where(this.dialect.idWithoutDashesLike(needs.id, pattern))
      .limit(2);
    return rows.length === 1 ? rows[0] : undefined;
  }

  /** The open (not resolved, not declined) referral of a need to a service. */
  async openReferral(needId: string, serviceId: string): Promise<ReferralRow | undefined> {
    const { referrals } = this.t;
    return (
      await this.db
        .select()
        .from(referrals)
        .where(
          and(
            eq(referrals.needId, needId),
            eq(referrals.serviceId, serviceId),
            notInArray(referrals.status, [...CLOSED]),
          ),
        )
        .limit(1)
    )[0];
  }

  /** Every referral of a need, oldest first. */
  async referralsOfNeed(needId: string): Promise<ReferralRow[]> {
    const { referrals } = this.t;
    return await this.db
      .select()
      .from(referrals)
      .where(eq(referrals.needId, needId))
      .orderBy(referrals.createdAt, referrals.id);
  }

  async insert(row: NewReferral): Promise<ReferralRow> {
    const { referrals } = this.t;
    await this.db.insert(referrals).values({ ...row, updatedAt: row.createdAt });
    return (await this.referral(row.id))!;
  }

  async update(
    id: string,
    set: Partial<Omit<ReferralRow, 'id' | 'needId' | 'serviceId' | 'createdAt'>> & { updatedAt: number },
  ): Promise<ReferralRow> {
    const { referrals } = this.t;
    await this.db.update(referrals).set(set).where(eq(referrals.id, id));
    return (await this.referral(id))!;
  }

  /** Open needs (not resolved, not declined), oldest first, of one school's students when given. */
  async openNeeds(schoolId?: string): Promise<(NeedRow & { schoolId: string })[]> {
    const { needs, students } = this.t;
    const rows = await this.db
      .select({ need: needs, schoolId: students.schoolId })
      .from(needs)
      .innerJoin(students, eq(students.id, needs.studentId))
      .where(
        and(notInArray(needs.status, [...CLOSED]), ...(schoolId ? [eq(students.schoolId, schoolId)] : [])),
      )
      .orderBy(needs.createdAt, needs.id);
    return rows.map((r) => ({ ...r.need, schoolId: r.schoolId }));
  }

  /** A service's name, for messages that name it. */
  async serviceName(id: string): Promise<string | undefined> {
    const { services } = this.t;
    return (await this.db.select({ name: services.name }).from(services).where(eq(services.id, id)))[0]?.name;
  }

  /** Moves a need's status and the service it is referred to (the referral drives them). */
  async setNeedReferral(
    needId: string,
    status: NeedRow['status'],
    serviceId: string | null,
    at: number,
  ): Promise<void> {
    const { needs } = this.t;
    await this.db
      .update(needs)
      .set({ status, referralServiceId: serviceId, updatedAt: at })
      .where(eq(needs.id, needId));
  }

  /** Referrals newest first, with student, area and service; filtered by status and school when given. */
  async list(filter: { status?: ReferralRow['status']; schoolId?: string } = {}): Promise<ReferralListing[]> {
    const { needs, referrals, services, students } = this.t;
    const conditions = [
      ...(filter.status ? [eq(referrals.status, filter.status)] : []),
      ...(filter.schoolId ? [eq(students.schoolId, filter.schoolId)] : []),
    ];
    const rows = await this.db
      .select({
        referral: referrals,
        studentId: needs.studentId,
        schoolId: students.schoolId,
        area: needs.area,
        serviceName: services.name,
      })
      .from(referrals)
      .innerJoin(needs, eq(needs.id, referrals.needId))
      .innerJoin(students, eq(students.id, needs.studentId))
      .innerJoin(services, eq(services.id, referrals.serviceId))
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(referrals.updatedAt), referrals.id);
    return rows;
  }

  /** The students' referrals still open, or closed at or after `closedSince` (what their navigator is told). */
  async ofStudents(studentIds: string[], closedSince: number): Promise<ReferralListing[]> {
    if (studentIds.length === 0) return [];
    const { needs, referrals, services, students } = this.t;
    return await this.db
      .select({
        referral: referrals,
        studentId: needs.studentId,
        schoolId: students.schoolId,
        area: needs.area,
        serviceName: services.name,
      })
      .from(referrals)
      .innerJoin(needs, eq(needs.id, referrals.needId))
      .innerJoin(students, eq(students.id, needs.studentId))
      .innerJoin(services, eq(services.id, referrals.serviceId))
      .where(
        and(
          inArray(needs.studentId, studentIds),
          or(notInArray(referrals.status, [...CLOSED]), gte(referrals.updatedAt, closedSince)),
        ),
      )
      .orderBy(desc(referrals.updatedAt), referrals.id);
  }

  /**
   * The newest connected referral of the guardian's children whose follow-up text went at or after `since`
   * and has no answer yet, with the need's area and student. Asked of every text a family sends, so prepared
   * once per database.
   */
  async awaitingFollowUp(
    guardianId: string,
    since: number,
  ): Promise<(ReferralRow & { area: NeedRow['area']; studentId: string }) | undefined> {
    const query = this.prepared<AwaitingRow[]>('referrals_awaiting_follow_up', () => this.buildAwaiting());
    const [row] = await query.execute({ guardianId, since });
    return row ? { ...row.referral, area: row.area, studentId: row.studentId } : undefined;
  }

  private buildAwaiting() {
    const { needs, referrals, studentGuardians } = this.t;
    return this.db
      .select({ referral: referrals, area: needs.area, studentId: needs.studentId })
      .from(referrals)
      .innerJoin(needs, eq(needs.id, referrals.needId))
      .innerJoin(studentGuardians, eq(studentGuardians.studentId, needs.studentId))
      .where(
        and(
          eq(studentGuardians.guardianId, sql.placeholder('guardianId')),
          eq(referrals.status, 'connected'),
          gte(referrals.followUpAt, sql.placeholder('since')),
          isNull(referrals.followUpAnsweredAt),
        ),
      )
      .orderBy(desc(referrals.followUpAt), referrals.id)
      .limit(1);
  }
}
