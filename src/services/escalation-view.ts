import type { AppContext } from '../context.js';
import type { DbOrTx } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.js';
import { EscalationNoteRepository } from '../store/repositories/escalation-notes.js';
import { type EscalationRow, NeedRepository } from '../store/repositories/needs.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';
import { SmsRepository } from '../store/repositories/sms.js';
import {
  assigneesFor,
  type EscalationCard,
  type EscalationDetails,
  type EscalationRefusal,
  isEscalationOutcome,
  isHolder,
  isLeadFor,
  LOCALE_FALLBACK,
  refuse,
  type Scene,
  sceneOf,
} from './escalation-rules.js';
import { escalationRef } from './escalations.js';

// What people see of an escalation: the card any channel may show (minimum necessary), and the private details
// only the counselor holding it and lead navigators may open.

/** How far before an escalation the family's texts are shown in the details. */
const FAMILY_WORDS_BEFORE_MS = 7 * 24 * 60 * 60_000;

/** The roster's grade as a number: '7' is 7, kindergarten is 0, anything else (e.g. 'PK') null. */
function gradeNumber(grade: string): number | null {
  if (/^\d+$/.test(grade.trim())) return Number(grade.trim());
  return /^k(g|indergarten)?$/i.test(grade.trim()) ? 0 : null;
}

function raisedByOf(e: EscalationRow, raiser: StaffRow | undefined): EscalationCard['raisedBy'] {
  if (raiser) return raiser.role === 'counselor' ? 'counselor' : 'navigator';
  if (e.raisedBy.startsWith('guardian:') || e.raisedBy.startsWith('sms:') || e.source === 'family')
    return 'family';
  if (e.raisedBy === 'system') return 'system';
  return e.source === 'counselor' ? 'counselor' : 'navigator';
}

export async function cardOf(ctx: AppContext, db: DbOrTx, scene: Scene): Promise<EscalationCard> {
  const { e } = scene;
  const roster = new RosterRepository(db);
  const student = e.studentId ? await roster.student(e.studentId) : undefined;
  const school = student ? await roster.school(student.schoolId) : undefined;
  const holder = e.counselorId ? await roster.staffById(e.counselorId) : undefined;
  const raiser = e.raisedBy.startsWith('staff:') ? await roster.staffById(e.raisedBy.slice(6)) : undefined;
  return {
    id: e.id,
    ref: escalationRef(e.id),
    status: e.status,
    urgent: e.urgent,
    trigger: e.trigger,
    schoolName: scene.schoolName,
    initials: student ? `${student.firstName[0]}. ${student.lastName[0]}.` : null,
    grade: student ? gradeNumber(student.grade) : null,
    gradeLabel: student ? student.grade : null,
    raisedBy: raisedByOf(e, raiser),
    createdAt: e.createdAt,
    dueAt: e.dueAt,
    holder: holder?.name ?? null,
    outcome: isEscalationOutcome(e.outcome) ? e.outcome : null,
    timeZone: school?.timezone ?? ctx.config.defaultTimezone,
  };
}

/** The card of an escalation, by id or short reference: safe for a shared channel. */
export async function escalationCard(ctx: AppContext, ref: string): Promise<EscalationCard | undefined> {
  return ctx.db.transaction(async (tx) => {
    const e = await new NeedRepository(tx).escalationByRef(ref);
    return e ? cardOf(ctx, tx, await sceneOf(tx, e)) : undefined;
  });
}

/**
 * Who a case may be reassigned to (what a Reassign list offers): active counselors of its school and district
 * counselors, not its holder. Empty for an unknown or resolved case, where there is nothing to hand on.
 */
export async function escalationAssignees(
  ctx: AppContext,
  ref: string,
): Promise<{ id: string; name: string }[]> {
  return ctx.db.transaction(async (tx) => {
    const e = await new NeedRepository(tx).escalationByRef(ref);
    if (!e || e.status === 'resolved') return [];
    const scene = await sceneOf(tx, e);
    const staff = await new RosterRepository(tx).staffList(['counselor']);
    return assigneesFor(staff, scene).map((s) => ({ id: s.id, name: s.name }));
  });
}

/** The family's texts around an escalation: from the week before it was raised until now, oldest first. */
async function familyWordsOf(db: DbOrTx, e: EscalationRow): Promise<{ at: number; body: string }[]> {
  const roster = new RosterRepository(db);
  const guardianIds = e.guardianId
    ? [e.guardianId]
    : e.studentId
      ? (await roster.guardiansOf(e.studentId)).map((g) => g.id)
      : [];
  const sms = new SmsRepository(db);
  const words: { at: number; body: string }[] = [];
  for (const id of guardianIds)
    for (const t of await sms.familyTextsSince(e.createdAt - FAMILY_WORDS_BEFORE_MS, id))
      words.push({ at: t.receivedAt, body: t.body });
  return words.sort((a, b) => a.at - b.at);
}

async function historyOf(db: DbOrTx, e: EscalationRow): Promise<EscalationDetails['history']> {
  const roster = new RosterRepository(db);
  const notes = new Map((await new EscalationNoteRepository(db).notesOf(e.id)).map((n) => [n.id, n]));
  const names = new Map<string, string>();
  const who = async (actor: string): Promise<string> => {
    if (!actor.startsWith('staff:'))
      return actor.startsWith('guardian:') || actor.startsWith('sms:') ? 'family' : actor;
    const id = actor.slice(6);
    if (!names.has(id)) names.set(id, (await roster.staffById(id))?.name ?? id);
    return names.get(id)!;
  };
  const history: EscalationDetails['history'] = [];
  for (const a of await new AuditRepository(db).listFor('escalation', e.id)) {
    // Who opened the details is kept for accountability, not shown as part of the case's story.
    if (a.action === 'view') continue;
    const after = (a.after ?? {}) as { noteId?: string };
    const note = after.noteId ? notes.get(after.noteId) : undefined;
    history.push({
      at: a.at,
      actor: await who(a.actor),
      action: a.action,
      ...(note ? { text: note.text } : {}),
    });
  }
  return history;
}

/**
 * The private view of an escalation: the student's name, the navigator, the note, the family's own words and
 * the history. Only the counselor holding it and lead navigators of the school may open it; every opening
 * (and every refused attempt) is audit-logged.
 */
export async function escalationDetails(
  ctx: AppContext,
  ref: string,
  viewerStaffId: string,
): Promise<
  { ok: true; details: EscalationDetails } | { ok: false; refusal: EscalationRefusal; message: string }
> {
  return ctx.db.transaction(async (tx) => {
    const roster = new RosterRepository(tx);
    const viewer = await roster.staffById(viewerStaffId);
    const locale = viewer?.locale ?? LOCALE_FALLBACK;
    const e = await new NeedRepository(tx).escalationByRef(ref);
    if (!e) return refuse(locale, 'not_found', 'escalationNotFound');
    if (!viewer?.active) return refuse(locale, 'unknown_staff', 'escalationUnknownStaff');
    const scene = await sceneOf(tx, e);
    const allowed = isHolder(viewer, scene) || isLeadFor(viewer, scene);
    await new AuditRepository(tx).append({
      at: ctx.clock(),
      actor: `staff:${viewer.id}`,
      entity: 'escalation',
      entityId: e.id,
      action: allowed ? 'view' : 'view_refused',
      before: null,
      after: null,
    });
    if (!allowed)
      return refuse(locale, 'not_allowed', 'escalationViewNotAllowed', { ref: escalationRef(e.id) });
    const student = e.studentId ? await roster.student(e.studentId) : undefined;
    const navigatorId = e.studentId ? await roster.navigatorOf(e.studentId) : null;
    const navigator = navigatorId ? await roster.staffById(navigatorId) : undefined;
    const details: EscalationDetails = {
      ...(await cardOf(ctx, tx, scene)),
      studentName: student ? `${student.firstName} ${student.lastName}` : null,
      navigatorName: navigator?.name ?? null,
      note: e.note,
      familyWords: await familyWordsOf(tx, e),
      history: await historyOf(tx, e),
    };
    return { ok: true, details } as const;
  });
}
