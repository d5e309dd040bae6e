import type { ScriptStudent } from '../dialogs/types.js';
import type { Texts } from '../i18n/index.js';
import { isoWeekOf } from '../jobs/period.js';
import type { DbOrTx } from '../store/db.js';
import {
  CheckinRepository,
  type CheckinRow,
  checkinSubject,
  type CheckinStatus as StoredCheckinStatus,
} from '../store/repositories/checkins.js';
import { FamilyReachRepository, type GuardianReach } from '../store/repositories/family-reach.js';
import { NeedRepository, type NeedRow } from '../store/repositories/needs.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';
import { StudentEscalationRepository } from '../store/repositories/student-escalations.js';
import { CONNECT_STEP, wasAttempt } from '../vocabulary.js';
import { caseloadAlerts, type StudentAlerts } from './caseload-alerts.js';
import { familyNoteFor } from './family-notes.js';

export type { StudentAlerts } from './caseload-alerts.js';

/**
 * A student's check-in this week as the caseload shows it: the stored status, except that a completed one
 * where the navigator could not reach the student ("Couldn't reach them", "They were absent") is 'attempted'
 * and does not count as done.
 */
export type CheckinStatus = StoredCheckinStatus | 'attempted';

/** Why a family cannot be texted (every guardian opted out, invalid, unreachable or without a phone). */
export type FamilyReach = 'opted_out' | 'invalid' | 'unreachable' | 'no_phone';

/** An open need as the navigator sees it. Example: `{ area: 'food_security', status: 'referred' }`. */
export interface OpenNeed {
  area: NeedRow['area'];
  status: NeedRow['status'];
}

/**
 * An escalation about the student not yet resolved.
 * Example: `{ id: 'e-1', trigger: 'navigator_request', status: 'claimed', urgent: false }`.
 */
export interface OpenEscalation {
  id: string;
  trigger: string;
  status: 'open' | 'claimed' | 'acknowledged';
  urgent: boolean;
}

/** What the family said this week, as a text key and its params in the navigator's language. */
export type FamilySaid = NonNullable<ScriptStudent['familyNote']>;

/**
 * One student of a navigator's week: first name and grade only (minimum necessary), this week's status, and
 * why the family cannot be texted when it cannot. `alerts`, in every view: open escalations, the family's
 * call requests, a STOP or a pause, the texts the family sent this week. With details: open needs, open
 * escalations, what the family said.
 * Example: `{ id: 'S-1', firstName: 'Ana', grade: '7', status: 'in_progress', family: 'opted_out' }`.
 */
export interface CaseloadStudent {
  id: string;
  firstName: string;
  grade: string;
  status: CheckinStatus;
  family?: FamilyReach;
  alerts?: StudentAlerts;
  details?: { openNeeds: OpenNeed[]; openEscalations: OpenEscalation[]; familySaid?: FamilySaid };
}

/** A navigator's week: which ISO week, whether they can start or resume it, and their students. */
export interface CaseloadWeek {
  period: string;
  canResume: boolean;
  students: CaseloadStudent[];
}

/** The zone a navigator's week is reckoned in: the school's, else the navigator's own. */
async function navigatorZone(db: DbOrTx, navigator: StaffRow): Promise<string> {
  const school = navigator.schoolId ? await new RosterRepository(db).school(navigator.schoolId) : undefined;
  return school?.timezone ?? navigator.timezone;
}

/** The ISO week a navigator's check-ins are reckoned in: the school's zone, else the navigator's. */
export async function navigatorWeek(db: DbOrTx, navigator: StaffRow, now: number): Promise<string> {
  return isoWeekOf(now, await navigatorZone(db, navigator));
}

/** Whether a navigator can start or resume a week: no finished session for it yet. */
export async function canResumeWeek(db: DbOrTx, navigatorId: string, period: string): Promise<boolean> {
  const session = await new CheckinRepository(db).sessionFor(navigatorId, 'navigator', period);
  return !session || session.status === 'active';
}

/** Why most to least telling: an opt-out is the family's choice; a missing phone is a roster gap. */
const REACH_ORDER: FamilyReach[] = ['opted_out', 'invalid', 'unreachable', 'no_phone'];

/**
 * Why a student's family cannot be texted, or null when at least one guardian can be (a phone and SMS status
 * 'active'). No guardian on file counts as no phone. Example: `[{ hasPhone: true, smsStatus: 'opted_out' }]`
 * → 'opted_out'.
 */
export function familyReach(guardians: readonly GuardianReach[]): FamilyReach | null {
  if (guardians.some((g) => g.hasPhone && g.smsStatus === 'active')) return null;
  // Every guardian here lacks a phone or has a non-active status: an 'active' one can only lack a phone.
  const reasons = new Set<FamilyReach>(
    guardians.map((g) => (!g.hasPhone || g.smsStatus === 'active' ? 'no_phone' : g.smsStatus)),
  );
  return REACH_ORDER.find((r) => reasons.has(r)) ?? 'no_phone';
}

/** A check-in's status for the caseload: a completed one that did not reach the student is 'attempted'. */
async function caseloadStatus(
  checkins: CheckinRepository,
  row: CheckinRow | undefined,
): Promise<CheckinStatus> {
  if (!row) return 'pending';
  if (row.status !== 'completed' || !row.studentId) return row.status;
  const connect = (await checkins.answersForStudent(row.studentId, 50)).find(
    (a) => a.checkinId === row.id && a.stepId === CONNECT_STEP,
  );
  return connect && wasAttempt(connect.value) ? 'attempted' : 'completed';
}

/**
 * A navigator's students in a week with their status, family reach and alerts (dates in the school's zone
 * and `locale`); with `details`, their open needs, open escalations and what the family said in the last
 * seven days (rendered in `locale`).
 */
export async function caseloadStudents(
  db: DbOrTx,
  texts: Texts,
  options: { navigatorId: string; period: string; locale: string; now: number; details?: boolean },
): Promise<CaseloadStudent[]> {
  const { navigatorId, period, locale, now } = options;
  const students = await new RosterRepository(db).caseloadOf(navigatorId);
  const checkins = new CheckinRepository(db);
  const ids = students.map((s) => s.id);
  const needs = options.details ? await new NeedRepository(db).needsOf(ids) : [];
  const escalations = options.details ? await new StudentEscalationRepository(db).openFor(ids) : [];
  const guardians = await new FamilyReachRepository(db).guardiansOf(ids);
  const navigator = await new RosterRepository(db).staffById(navigatorId);
  const alerts = await caseloadAlerts(db, {
    navigatorId,
    students,
    now,
    locale,
    zone: navigator ? await navigatorZone(db, navigator) : 'UTC',
  });
  const out: CaseloadStudent[] = [];
  for (const s of students) {
    const row = await checkins.get(period, checkinSubject('navigator', { navigatorId, studentId: s.id }));
    const family = familyReach(guardians.get(s.id) ?? []);
    const alert = alerts.get(s.id);
    const student: CaseloadStudent = {
      id: s.id,
      firstName: s.firstName,
      grade: s.grade,
      status: await caseloadStatus(checkins, row),
      ...(family ? { family } : {}),
      ...(alert ? { alerts: alert } : {}),
    };
    if (options.details) {
      const familySaid = await familyNoteFor(db, texts, s, locale, now);
      student.details = {
        openNeeds: needs.filter((n) => n.studentId === s.id).map((n) => ({ area: n.area, status: n.status })),
        openEscalations: escalations.flatMap((e) =>
          e.studentId === s.id && e.status !== 'resolved'
            ? [{ id: e.id, trigger: e.trigger, status: e.status, urgent: e.urgent }]
            : [],
        ),
        ...(familySaid ? { familySaid } : {}),
      };
    }
    out.push(student);
  }
  return out;
}

/** A navigator's week as the caseload list shows it (weekly prompt, `/checkin status`, home view). */
export async function caseloadWeek(
  db: DbOrTx,
  texts: Texts,
  options: { navigator: StaffRow; period: string; locale: string; now: number; details?: boolean },
): Promise<CaseloadWeek> {
  const { navigator, period } = options;
  return {
    period,
    canResume: await canResumeWeek(db, navigator.id, period),
    students: await caseloadStudents(db, texts, { ...options, navigatorId: navigator.id }),
  };
}
