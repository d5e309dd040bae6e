import type { AppContext } from '../context.js';
import type { DbOrTx } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.js';
import { NeedRepository, type NeedRow } from '../store/repositories/needs.js';
import type { NeedArea } from '../vocabulary.js';

/** A need someone surfaced about a student. Example: `{ studentId: 's-1', area: 'food_security', … }`. */
export interface NeedReport {
  studentId: string;
  area: NeedArea;
  severity: NeedRow['severity'];
  tier?: number;
  source: NeedRow['source'];
  /** Who said it: `staff:<id>`, `guardian:<id>`, or the participant id the check-in ran for. */
  actor: string;
  questionKey?: string | null;
  /** The question as it was asked (rendered text), kept beside the answer. */
  questionText?: string | null;
  answerText?: string | null;
  note?: string | null;
}

/**
 * The one way a need is recorded, from a check-in answer, a family's own words or a counselor: one open need
 * per student and area (a repeat raises its count and, if higher, its severity), audit-logged in the caller's
 * transaction.
 */
export async function recordNeed(
  tx: DbOrTx,
  ctx: Pick<AppContext, 'clock' | 'ids'>,
  report: NeedReport,
): Promise<{ need: NeedRow; created: boolean }> {
  const now = ctx.clock();
  const { need, created, before } = await new NeedRepository(tx).recordNeed({
    id: ctx.ids(),
    studentId: report.studentId,
    area: report.area,
    severity: report.severity,
    tier: report.tier ?? 1,
    source: report.source,
    questionKey: report.questionKey ?? null,
    questionText: report.questionText ?? null,
    answerText: report.answerText ?? null,
    note: report.note ?? null,
    raisedBy: report.actor,
    createdAt: now,
  });
  await new AuditRepository(tx).append({
    at: now,
    actor: report.actor,
    entity: 'need',
    entityId: need.id,
    action: created ? 'create' : 'update',
    before: before ?? null,
    after: need,
  });
  return { need, created };
}
