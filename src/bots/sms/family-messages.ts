import type { AppContext } from '../../context.js';
import { defaultStaffRoute } from '../../delivery/dead-letter.js';
import { matchNeedAreas } from '../../dialogs/needs.js';
import { familyNeedLexicon } from '../../scripts/index.js';
import { routeEscalation } from '../../services/escalations.js';
import { phoneRef } from '../../services/family-sms.js';
import type { CrisisTrigger } from '../../sms/crisis-phrases.js';
import type { DbOrTx } from '../../store/db.js';
import { AuditRepository } from '../../store/repositories/audit.js';
import { NeedRepository } from '../../store/repositories/needs.js';
import { type GuardianRow, RosterRepository } from '../../store/repositories/roster.js';
import { SmsRepository } from '../../store/repositories/sms.js';

/** Minutes a counselor has to pick up an urgent family escalation before it is overdue. */
export const URGENT_DUE_MS = 30 * 60_000;

/**
 * Records an urgent escalation and its audit entry. The summary (seen in shared channels) names the trigger
 * and the guardian id only; the note (seen by the assigned counselor) holds the text, and for an unknown
 * number the number, so someone can call back. The audit entry never holds the note.
 */
export function raiseCrisis(
  ctx: AppContext,
  tx: DbOrTx,
  input: { trigger: CrisisTrigger; guardian?: GuardianRow; from?: string; body: string },
): string {
  const now = ctx.clock();
  const students = input.guardian ? new RosterRepository(tx).studentsOfGuardian(input.guardian.id) : [];
  const who = input.guardian
    ? `guardian ${input.guardian.id}`
    : `unknown number ${phoneRef(input.from ?? '')}`;
  const raisedBy = input.guardian ? `guardian:${input.guardian.id}` : 'sms:unknown';
  const row = new NeedRepository(tx).insertEscalation({
    id: ctx.ids(),
    studentId: students.length === 1 ? students[0]!.id : null,
    guardianId: input.guardian?.id ?? null,
    trigger: input.trigger,
    urgent: true,
    source: 'family',
    raisedBy,
    status: 'open',
    summary: `Urgent: a family text matched crisis wording (${input.trigger}) from ${who}`,
    note: input.guardian ? `Family text: ${input.body}` : `From ${input.from}: ${input.body}`,
    dueAt: now + URGENT_DUE_MS,
    createdAt: now,
    updatedAt: now,
  });
  // The same entry the check-in path writes for an escalation, with the note (the family's words) masked.
  new AuditRepository(tx).append({
    at: now,
    actor: raisedBy,
    entity: 'escalation',
    entityId: row.id,
    action: 'create',
    before: null,
    after: { ...row, note: row.note ? '[note]' : null },
  });
  // Counselors hear at once; lead navigators when it is still open at its deadline.
  routeEscalation(tx, ctx, defaultStaffRoute(ctx.config), row.id);
  ctx.logger.warn({ escalationId: row.id, trigger: input.trigger }, 'sms: urgent family escalation');
  return row.id;
}

/**
 * Keeps a family's text that arrived outside any check-in, for the navigator (see `familyMessagesSince`),
 * and records a family need for each of the guardian's active children when the text names one
 * ("necesitamos comida" → food_security), audit-logged like a need from the check-in. Returns the need
 * areas recorded.
 */
export function keepFamilyMessage(
  ctx: AppContext,
  tx: DbOrTx,
  guardian: GuardianRow,
  body: string,
): string[] {
  const now = ctx.clock();
  new SmsRepository(tx).recordFamilyMessage({
    id: ctx.ids(),
    guardianId: guardian.id,
    body,
    receivedAt: now,
  });
  const areas = matchNeedAreas(body, guardian.locale, familyNeedLexicon());
  if (areas.length === 0) return [];
  const needs = new NeedRepository(tx);
  const audit = new AuditRepository(tx);
  const actor = `guardian:${guardian.id}`;
  const children = new RosterRepository(tx).studentsOfGuardian(guardian.id).filter((s) => s.active);
  for (const student of children)
    for (const area of areas) {
      const { need, created, before } = needs.recordNeed({
        id: ctx.ids(),
        studentId: student.id,
        area,
        severity: 'medium',
        tier: 1,
        source: 'family',
        questionKey: null,
        questionText: null,
        answerText: body,
        note: null,
        raisedBy: actor,
        createdAt: now,
      });
      audit.append({
        at: now,
        actor,
        entity: 'need',
        entityId: need.id,
        action: created ? 'create' : 'update',
        before: before ?? null,
        after: need,
      });
    }
  return areas;
}
