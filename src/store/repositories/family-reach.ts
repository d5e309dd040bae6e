import { eq, inArray, sql } from 'drizzle-orm';
import type { SmsStatus } from '../schema/index.js';
import { Repository } from '../store.js';

/** How one guardian of a student can be texted: whether the roster has a phone, and the SMS status. */
export interface GuardianReach {
  hasPhone: boolean;
  smsStatus: SmsStatus;
}

/** Whether students' families can be texted, without reading their phone numbers. */
export class FamilyReachRepository extends Repository {
  /** Each student's guardians (phone or not, SMS status); students without guardians are absent. */
  async guardiansOf(studentIds: string[]): Promise<Map<string, GuardianReach[]>> {
    const out = new Map<string, GuardianReach[]>();
    if (studentIds.length === 0) return out;
    const { guardians, studentGuardians } = this.t;
    const rows = await this.db
      .select({
        studentId: studentGuardians.studentId,
        hasPhone: sql<boolean>`${guardians.phone} is not null`.mapWith(Boolean),
        smsStatus: guardians.smsStatus,
      })
      .from(studentGuardians)
      .innerJoin(guardians, eq(guardians.id, studentGuardians.guardianId))
      .where(inArray(studentGuardians.studentId, studentIds));
    for (const r of rows)
      out.set(r.studentId, [
        ...(out.get(r.studentId) ?? []),
        { hasPhone: r.hasPhone, smsStatus: r.smsStatus },
      ]);
    return out;
  }
}
