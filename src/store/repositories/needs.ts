import { and, desc, eq, gte, inArray, notInArray } from 'drizzle-orm';
import { NEED_SEVERITIES } from '../../vocabulary.js';
import type { DbOrTx } from '../db.js';
import type { escalations, needs } from '../schema/index.js';
import { Repository } from '../store.js';

export type NeedRow = typeof needs.$inferSelect;
export type EscalationRow = typeof escalations.$inferSelect;
const CLOSED = ['resolved', 'declined'] as const;

/** Needs and escalations: what navigators and families surfaced, and the hand-offs to counselors. */
export class NeedRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  async openNeed(studentId: string, area: NeedRow['area']): Promise<NeedRow | undefined> {
    const { needs } = this.t;
    return (
      await this.db
        .select()
        .from(needs)
        .where(
          and(eq(needs.studentId, studentId), eq(needs.area, area), notInArray(needs.status, [...CLOSED])),
        )
        .limit(1)
    )[0];
  }

  /**
   * Records a need, or updates the open one for the same student and area (one open need per area):
   * the severity only goes up, the report count grows, the latest question and answer are kept.
   */
  async recordNeed(row: Omit<typeof needs.$inferInsert, 'status' | 'timesReported' | 'updatedAt'>): Promise<{
    need: NeedRow;
    created: boolean;
    before?: NeedRow;
  }> {
    const { needs } = this.t;
    const existing = await this.openNeed(row.studentId, row.area);
    const read = async (id: string) => (await this.db.select().from(needs).where(eq(needs.id, id)))[0]!;
    if (!existing) {
      await this.db.insert(needs).values({ ...row, updatedAt: row.createdAt });
      return { need: await read(row.id), created: true };
    }
    const severity =
      NEED_SEVERITIES.indexOf(row.severity) > NEED_SEVERITIES.indexOf(existing.severity)
        ? row.severity
        : existing.severity;
    await this.db
      .update(needs)
      .set({
        severity,
        tier: Math.max(existing.tier, row.tier ?? 1),
        timesReported: existing.timesReported + 1,
        questionKey: row.questionKey ?? existing.questionKey,
        questionText: row.questionText ?? existing.questionText,
        answerText: row.answerText ?? existing.answerText,
        note: row.note ?? existing.note,
        updatedAt: row.createdAt,
      })
      .where(eq(needs.id, existing.id));
    return {
      need: await read(existing.id),
      created: false,
      before: existing,
    };
  }

  async needsOf(studentIds: string[], includeClosed = false): Promise<NeedRow[]> {
    if (studentIds.length === 0) return [];
    const { needs } = this.t;
    return await this.db
      .select()
      .from(needs)
      .where(
        includeClosed
          ? inArray(needs.studentId, studentIds)
          : and(inArray(needs.studentId, studentIds), notInArray(needs.status, [...CLOSED])),
      )
      .orderBy(desc(needs.updatedAt));
  }

  /** Needs a family raised or re-reported for a student since `since` (ms), newest first. */
  async familyNeedsSince(studentId: string, since: number): Promise<NeedRow[]> {
    const { needs } = this.t;
    return await this.db
      .select()
      .from(needs)
      .where(and(eq(needs.studentId, studentId), eq(needs.source, 'family'), gte(needs.updatedAt, since)))
      .orderBy(desc(needs.updatedAt));
  }

  async allNeeds(): Promise<NeedRow[]> {
    const { needs } = this.t;
    return await this.db.select().from(needs).orderBy(desc(needs.updatedAt));
  }

  async insertEscalation(row: typeof escalations.$inferInsert): Promise<EscalationRow> {
    const { escalations } = this.t;
    await this.db.insert(escalations).values(row);
    return (await this.db.select().from(escalations).where(eq(escalations.id, row.id)))[0]!;
  }

  async escalation(id: string): Promise<EscalationRow | undefined> {
    const { escalations } = this.t;
    return (await this.db.select().from(escalations).where(eq(escalations.id, id)))[0];
  }

  /** An escalation by its id or by the short reference staff see (the id's first characters, no dashes). */
  async escalationByRef(ref: string): Promise<EscalationRow | undefined> {
    const exact = await this.escalation(ref);
    if (exact) return exact;
    const prefix = ref.replace(/[^0-9a-z]/gi, '').toLowerCase();
    if (prefix.length === 0) return undefined;
    // A reference shorter than 4 characters must match a (short) id whole; longer ones may be a prefix.
    const pattern = prefix.length < 4 ? prefix : `${prefix}%`;
    const { escalations } = this.t;
    const matches = await this.db
      .select()
      .from(escalations)
      .where(this.dialect.idWithoutDashesLike(escalations.id, pattern))
      .limit(2);
    return matches.length === 1 ? matches[0] : undefined;
  }

  async setEscalationStatus(
    id: string,
    status: EscalationRow['status'],
    counselorId: string | null,
    at: number,
  ): Promise<void> {
    const { escalations } = this.t;
    await this.db
      .update(escalations)
      .set({ status, counselorId, updatedAt: at })
      .where(eq(escalations.id, id));
  }

  /** Changes who holds an escalation, its status and (when closing it) its outcome. */
  async updateEscalation(
    id: string,
    set: Partial<Pick<EscalationRow, 'status' | 'counselorId' | 'outcome'>>,
    at: number,
  ): Promise<EscalationRow> {
    const { escalations } = this.t;
    await this.db
      .update(escalations)
      .set({ ...set, updatedAt: at })
      .where(eq(escalations.id, id));
    return (await this.escalation(id))!;
  }

  async setEscalationDue(id: string, dueAt: number): Promise<void> {
    const { escalations } = this.t;
    await this.db.update(escalations).set({ dueAt }).where(eq(escalations.id, id));
  }

  async escalations(status?: EscalationRow['status']): Promise<EscalationRow[]> {
    const { escalations } = this.t;
    return await this.db
      .select()
      .from(escalations)
      .where(status ? eq(escalations.status, status) : undefined)
      .orderBy(desc(escalations.createdAt));
  }
}
