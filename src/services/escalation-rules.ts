import { type StaffKey, type StaffParams, staffText } from '../i18n/staff.js';
import type { DbOrTx } from '../store/db.js';
import type { EscalationRow } from '../store/repositories/needs.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';
import { escalationSchools } from './escalations.js';

// Who may do what to an escalation, from any channel (Slack, Teams, the simulator, the command line): the
// rules live here once, so every channel refuses the same way and in the same words.
//
// - Counselors of the student's school, and district-level counselors (no school), may claim. A claim is
//   exclusive: whoever holds it must hand it on (reassign) or a lead navigator reassigns it.
// - The holder acknowledges (the climbing reminders stop), adds notes, reassigns and resolves.
// - Lead navigators of the school (or district-level ones) reassign and resolve, and may open the details.
// - Navigators see the status and add notes; they never claim, acknowledge, reassign or resolve.

/** How a counselor closes an escalation. */
export const ESCALATION_OUTCOMES = [
  'connected_to_service',
  'handled_in_school',
  'referred_outside',
  'no_action_needed',
] as const;
export type EscalationOutcome = (typeof ESCALATION_OUTCOMES)[number];

/** What a person does to an escalation, from any channel. */
export type EscalationAction =
  | { kind: 'claim' }
  | { kind: 'acknowledge' }
  | { kind: 'note'; text: string }
  | { kind: 'reassign'; to: string /* staff id */ }
  | { kind: 'resolve'; outcome: EscalationOutcome; note?: string };

/** Why an action was refused. `message` is the sentence to show, already in the actor's language. */
export type EscalationRefusal =
  | 'not_found'
  | 'unknown_staff'
  | 'not_allowed' // e.g. a navigator claiming, a counselor of another school
  | 'claimed_by_other' // `holder` names who holds it
  | 'already_resolved'
  | 'unknown_assignee'
  | 'assignee_not_counselor'
  | 'empty_note'
  | 'unknown_outcome';

/** Minimum necessary, safe for a shared channel: never names, notes or the family's words. */
export interface EscalationCard {
  id: string;
  ref: string;
  status: 'open' | 'claimed' | 'acknowledged' | 'resolved';
  urgent: boolean;
  trigger: string;
  schoolName: string | null;
  /** "A. R." or null for a family not linked to a student. */
  initials: string | null;
  grade: number | null;
  /** The grade as the roster spells it ('7', 'K'), or null; optional so cards built elsewhere stay valid. */
  gradeLabel?: string | null;
  raisedBy: 'navigator' | 'family' | 'counselor' | 'system';
  createdAt: number;
  dueAt: number | null;
  /** Display name of the counselor holding it (staff are not protected details). */
  holder: string | null;
  outcome: EscalationOutcome | null;
  /** The time zone of the student's school (the district default otherwise), e.g. 'America/Chicago'. */
  timeZone: string;
}

/** The private view: only the assigned counselor (and lead navigators) may open it; every opening is audit-logged. */
export interface EscalationDetails extends EscalationCard {
  studentName: string | null;
  navigatorName: string | null;
  note: string | null;
  familyWords: { at: number; body: string }[];
  history: { at: number; actor: string; action: string; text?: string }[];
}

export type EscalationActionResult =
  | { ok: true; card: EscalationCard; message: string }
  | { ok: false; refusal: EscalationRefusal; holder?: string; message: string };

/** Longest note kept; a longer one is cut (chat fields are limited anyway). */
export const ESCALATION_NOTE_MAX = 2000;

export const LOCALE_FALLBACK = 'en';

/** Whether a value is one of the outcomes (the command line and chat payloads pass free strings). */
export function isEscalationOutcome(value: unknown): value is EscalationOutcome {
  return typeof value === 'string' && (ESCALATION_OUTCOMES as readonly string[]).includes(value);
}

/** The words of an outcome in a staff member's language, e.g. 'connected to a service'. */
export function outcomeLabel(locale: string, outcome: EscalationOutcome): string {
  const keys: Record<EscalationOutcome, StaffKey> = {
    connected_to_service: 'escalationOutcomeConnectedToService',
    handled_in_school: 'escalationOutcomeHandledInSchool',
    referred_outside: 'escalationOutcomeReferredOutside',
    no_action_needed: 'escalationOutcomeNoActionNeeded',
  };
  return staffText(locale, keys[outcome]);
}

// --- who is who -------------------------------------------------------------------------------------

/** An escalation with the schools it belongs to: what the rules of who may act look at. */
export interface Scene {
  e: EscalationRow;
  schools: Set<string>;
  schoolName: string | null;
}

/** Serves the student's school(s); a case with no known school may be taken by any counselor. */
export function servesSchool(s: StaffRow, schools: Set<string>): boolean {
  return s.schoolId === null || schools.size === 0 || schools.has(s.schoolId);
}

export const isCounselorFor = (s: StaffRow, scene: Scene) =>
  s.active && s.role === 'counselor' && servesSchool(s, scene.schools);
export const isLeadFor = (s: StaffRow, scene: Scene) =>
  s.active && s.role === 'lead_navigator' && servesSchool(s, scene.schools);
export const isHolder = (s: StaffRow, scene: Scene) => scene.e.counselorId === s.id;

export async function sceneOf(db: DbOrTx, e: EscalationRow): Promise<Scene> {
  const schools = await escalationSchools(db, e);
  const roster = new RosterRepository(db);
  const names: string[] = [];
  for (const id of schools) {
    const school = await roster.school(id);
    if (school) names.push(school.name);
  }
  return { e, schools, schoolName: names.length > 0 ? names.join(', ') : null };
}

export function refuse(
  locale: string,
  refusal: EscalationRefusal,
  key: StaffKey,
  params: StaffParams = {},
  holder?: string,
): { ok: false; refusal: EscalationRefusal; holder?: string; message: string } {
  return { ok: false, refusal, ...(holder ? { holder } : {}), message: staffText(locale, key, params) };
}

/** The sentence for someone whose role may not take or close a case (a navigator, a lead claiming, an admin). */
export function roleRefusal(actor: StaffRow, scene: Scene, ref: string, action: EscalationAction['kind']) {
  if (actor.role === 'navigator')
    return refuse(actor.locale, 'not_allowed', 'escalationNavigatorCannot', { ref });
  if (actor.role === 'counselor')
    return refuse(actor.locale, 'not_allowed', 'escalationOtherSchool', {
      ref,
      school: scene.schoolName ?? '-',
    });
  if (actor.role === 'lead_navigator' && (action === 'claim' || action === 'acknowledge'))
    return refuse(actor.locale, 'not_allowed', 'escalationLeadCannotClaim', { ref });
  if (actor.role === 'lead_navigator')
    return refuse(actor.locale, 'not_allowed', 'escalationOtherSchool', {
      ref,
      school: scene.schoolName ?? '-',
    });
  return refuse(actor.locale, 'not_allowed', 'escalationRoleCannot', { ref });
}

/**
 * The staff a case may be handed to: active counselors of its school(s) and district-level counselors, not the
 * one holding it now. Offering only these keeps a Reassign list from proposing someone the rules then refuse.
 */
export function assigneesFor(staff: StaffRow[], scene: Scene): StaffRow[] {
  return staff
    .filter((s) => isCounselorFor(s, scene) && !isHolder(s, scene))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
