import { eq } from 'drizzle-orm';
import { type Actor, AuditedRepository } from './audit.js';

/** A staff member's out-of-office dates (ISO dates, inclusive), as they set them themselves. */
export class OutOfOfficeRepository extends AuditedRepository {
  /** Sets (or clears, with nulls) the dates, audit-logged. Returns false when nothing changed. */
  async set(staffId: string, from: string | null, to: string | null, by: Actor): Promise<boolean> {
    const { staff } = this.t;
    const [before] = await this.db
      .select({ oooFrom: staff.oooFrom, oooTo: staff.oooTo })
      .from(staff)
      .where(eq(staff.id, staffId));
    if (!before || (before.oooFrom === from && before.oooTo === to)) return false;
    await this.db
      .update(staff)
      .set({ oooFrom: from, oooTo: to, updatedAt: by.at })
      .where(eq(staff.id, staffId));
    await this.audit.append({
      entity: 'staff',
      entityId: staffId,
      action: from ? 'ooo_set' : 'ooo_clear',
      before,
      after: { oooFrom: from, oooTo: to },
      ...by,
    });
    return true;
  }
}
