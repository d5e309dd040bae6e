import type { AppContext } from '../context.js';
import { matchNeedAreas } from '../dialogs/needs.js';
import { familyNeedLexicon } from '../scripts/index.js';
import type { DbOrTx } from '../store/db.js';
import type { EscalationRow } from '../store/repositories/needs.js';
import { type GuardianRow, RosterRepository } from '../store/repositories/roster.js';
import { SmsRepository } from '../store/repositories/sms.js';
import { raiseEscalation } from './escalations.js';
import { phoneRef } from './family-sms.js';
import { recordNeed } from './needs.js';

/** Who wrote a text that needs a person: a guardian on the roster, or only a number. */
export type FamilySender = { guardian: GuardianRow } | { address: string };

/**
 * Raises the urgent escalation for a family text that matched crisis wording, in the caller's transaction.
 * The summary (seen in shared channels) names the trigger and the guardian id only; the note (seen by the
 * assigned counselor) holds the text, and for an unknown number the number, so someone can call back.
 * Example: `await raiseFamilyCrisis(tx, ctx, { guardian }, 'no_food', 'no tenemos comida')`.
 */
export function raiseFamilyCrisis(
  tx: DbOrTx,
  ctx: AppContext,
  sender: FamilySender,
  trigger: EscalationRow['trigger'],
  body: string,
): Promise<EscalationRow> {
  return raiseFromText(tx, ctx, sender, trigger, body, {
    urgent: true,
    summary: `Urgent: a family text matched crisis wording (${trigger}) from ${senderRef(sender)}`,
    log: 'family: urgent escalation from a text',
  });
}

const senderRef = (sender: FamilySender) =>
  'guardian' in sender ? `guardian ${sender.guardian.id}` : `unknown number ${phoneRef(sender.address)}`;
const noteOf = (sender: FamilySender, body: string) =>
  'guardian' in sender ? `Family text: ${body}` : `From ${sender.address}: ${body}`;

/**
 * Raises a non-urgent escalation for a counselor to review a family text that may be about a crisis but does
 * not clearly say so ("tengo miedo por mi hijo"): leaning towards people, never silence. Due by the normal
 * deadline; the summary names no words.
 * Example: `await raiseFamilyConcern(tx, ctx, { guardian }, 'abuse_neglect', 'I am scared for him')`.
 */
export function raiseFamilyConcern(
  tx: DbOrTx,
  ctx: AppContext,
  sender: FamilySender,
  trigger: EscalationRow['trigger'],
  body: string,
): Promise<EscalationRow> {
  return raiseFromText(tx, ctx, sender, trigger, body, {
    urgent: false,
    summary: `Review: a family text may be about a crisis (${trigger}), from ${senderRef(sender)}`,
    log: 'family: text sent to a counselor for review',
  });
}

async function raiseFromText(
  tx: DbOrTx,
  ctx: AppContext,
  sender: FamilySender,
  trigger: EscalationRow['trigger'],
  body: string,
  how: { urgent: boolean; summary: string; log: string },
): Promise<EscalationRow> {
  const guardian = 'guardian' in sender ? sender.guardian : undefined;
  // A guardian with one child names the student; with several, the counselor sees the family.
  const students = guardian ? await new RosterRepository(tx).studentsOfGuardian(guardian.id) : [];
  const row = await raiseEscalation(tx, ctx, {
    studentId: students.length === 1 ? students[0]!.id : null,
    guardianId: guardian?.id ?? null,
    trigger,
    urgent: how.urgent,
    source: 'family',
    raisedBy: guardian ? `guardian:${guardian.id}` : 'sms:unknown',
    summary: how.summary,
    note: noteOf(sender, body),
  });
  ctx.logger.warn({ escalationId: row.id, trigger, urgent: how.urgent }, how.log);
  return row;
}

/**
 * Keeps a family's text that no conversation takes, for the navigator (see `familyMessagesSince`), and
 * records a family need for each of the guardian's active children when the text names one ("necesitamos
 * comida" → food_security), unless `needs: false` (a PAUSE or "who is this?" names no need). `context` is
 * shown after the text for the navigator (the question it answered) and read for no need. An empty text
 * is in `family_texts` only: there is nothing for a navigator to read. Returns the need areas recorded.
 */
export async function keepFamilyMessage(
  tx: DbOrTx,
  ctx: AppContext,
  guardian: GuardianRow,
  body: string,
  options: { needs?: boolean; context?: string } = {},
): Promise<string[]> {
  if (body.trim() === '') return [];
  await new SmsRepository(tx).recordFamilyMessage({
    id: ctx.ids(),
    guardianId: guardian.id,
    body: options.context ? `${body} (${options.context})` : body,
    receivedAt: ctx.clock(),
  });
  if (options.needs === false) return [];
  const areas = matchNeedAreas(body, guardian.locale, familyNeedLexicon());
  if (areas.length === 0) return [];
  const children = (await new RosterRepository(tx).studentsOfGuardian(guardian.id)).filter((s) => s.active);
  for (const student of children)
    for (const area of areas)
      await recordNeed(tx, ctx, {
        studentId: student.id,
        area,
        severity: 'medium',
        source: 'family',
        actor: `guardian:${guardian.id}`,
        answerText: body,
      });
  return areas;
}
