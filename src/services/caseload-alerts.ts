import type { DbOrTx } from '../store/db.js';
import { NavigatorTaskRepository } from '../store/repositories/navigator-tasks.js';
import { type EscalationRow, NeedRepository } from '../store/repositories/needs.js';
import { type ReferralListing, ReferralRepository } from '../store/repositories/referrals.js';
import { RosterRepository, type StudentRow } from '../store/repositories/roster.js';
import { type FamilyTextRow, SmsRepository } from '../store/repositories/sms.js';
import { StudentEscalationRepository } from '../store/repositories/student-escalations.js';
import { escalationRef } from './escalations.js';
import { localWhen, taskRef } from './navigator-tasks.js';

// What needs the navigator about a student now, shown on every view of the caseload (the week's opening
// message, the status list, the home view) rather than only when the check-in reaches that student: the
// 11th of 12 is too late to learn the family asked for a call on Monday.

const DAY_MS = 24 * 60 * 60_000;
/** Texts listed one per line; the rest are counted, so a chat's limit on lines per student is kept. */
const TEXTS_SHOWN = 5;
const TEXT_MAX = 160;

/** An escalation about the student (or their family) not yet resolved. */
export interface AlertEscalation {
  id: string;
  ref: string;
  trigger: string;
  status: 'open' | 'claimed' | 'acknowledged';
  urgent: boolean;
}

/** A family's call request the navigator has not marked done; `due` is the deadline in local words. */
export interface CallRequestAlert {
  taskId: string;
  ref: string;
  dueAt: number;
  due: string;
  overdue: boolean;
}

/** A referral of one of the student's needs: open, or closed this week; what the family answered, if asked. */
export interface ReferralAlert {
  serviceName: string;
  area: string;
  status: ReferralListing['referral']['status'];
  followUpAnswer: ReferralListing['referral']['followUpAnswer'];
}

/** A text the family sent, shortened; `date` is when, in local words. */
export interface FamilyTextAlert {
  at: number;
  date: string;
  text: string;
}

/**
 * What needs the navigator about one student. `stopped`: a guardian's phone texted STOP (`date` null when
 * a guardian opted out another way, e.g. the roster, while another can still be texted). `pausedUntil`: the family paused routine texts. `texts`:
 * what the family texted in the last seven days, newest first, and how many more there were.
 */
export interface StudentAlerts {
  escalations: AlertEscalation[];
  callRequests: CallRequestAlert[];
  referrals: ReferralAlert[];
  stopped?: { date: string | null };
  pausedUntil?: string;
  texts: FamilyTextAlert[];
  moreTexts: number;
}

const OPEN_STATUSES = ['open', 'claimed', 'acknowledged'] as const;

function alertOf(e: EscalationRow): AlertEscalation {
  return {
    id: e.id,
    ref: escalationRef(e.id),
    trigger: e.trigger,
    status: e.status === 'resolved' ? 'open' : e.status,
    urgent: e.urgent,
  };
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > TEXT_MAX ? `${flat.slice(0, TEXT_MAX - 1)}…` : flat;
}

/**
 * The alerts of a navigator's students, by student id; a student with nothing to show is absent. Dates are
 * written in `zone` and the navigator's `locale`.
 */
export async function caseloadAlerts(
  db: DbOrTx,
  options: { navigatorId: string; students: StudentRow[]; now: number; locale: string; zone: string },
): Promise<Map<string, StudentAlerts>> {
  const { students, now, locale, zone } = options;
  const ids = students.map((s) => s.id);
  const roster = new RosterRepository(db);
  const sms = new SmsRepository(db);
  const tasks = await new NavigatorTaskRepository(db).list({
    navigatorIds: [options.navigatorId],
    status: 'open',
  });
  const byStudent = await new StudentEscalationRepository(db).openFor(ids);
  // A crisis text from a family with several children names the family, not a student.
  const needs = new NeedRepository(db);
  const byFamily: EscalationRow[] = [];
  for (const status of OPEN_STATUSES)
    byFamily.push(...(await needs.escalations(status)).filter((e) => e.studentId === null && e.guardianId));
  const since = now - 7 * DAY_MS;
  const referrals = await new ReferralRepository(db).ofStudents(ids, since);
  const out = new Map<string, StudentAlerts>();
  for (const s of students) {
    const guardians = await roster.guardiansOf(s.id);
    const guardianIds = new Set(guardians.map((g) => g.id));
    const escalations = [
      ...byStudent.filter((e) => e.studentId === s.id),
      ...byFamily.filter((e) => e.guardianId !== null && guardianIds.has(e.guardianId)),
    ].map(alertOf);
    const callRequests = tasks
      .filter((t) => t.studentId === s.id)
      .map((t) => ({
        taskId: t.id,
        ref: taskRef(t.id),
        dueAt: t.dueAt,
        due: localWhen(t.dueAt, zone, locale),
        overdue: t.dueAt <= now,
      }));
    const studentReferrals = referrals
      .filter((r) => r.studentId === s.id)
      .map((r) => ({
        serviceName: r.serviceName,
        area: r.area,
        status: r.referral.status,
        followUpAnswer: r.referral.followUpAnswer,
      }));
    const someTextable = guardians.some((g) => g.phone && g.smsStatus !== 'opted_out');
    let stoppedAt: number | null | undefined;
    let pausedUntil: number | undefined;
    const texts = new Map<string, FamilyTextRow>();
    for (const g of guardians) {
      const at = await sms.phoneOptedOutAt(g.phone);
      if (at !== undefined) stoppedAt = Math.max(at, stoppedAt ?? 0);
      // Undated, it is news only while another guardian can still be texted: else the reach line says it.
      else if (g.smsStatus === 'opted_out' && stoppedAt === undefined && someTextable) stoppedAt = null;
      const pause = await sms.pauseAt(g.phone, now);
      if (pause) pausedUntil = Math.max(pause.until, pausedUntil ?? 0);
      for (const t of await sms.familyTextsSince(since, g.id)) if (t.body.trim()) texts.set(t.id, t);
    }
    const newest = [...texts.values()].sort((a, b) => b.receivedAt - a.receivedAt);
    const alerts: StudentAlerts = {
      escalations,
      callRequests,
      referrals: studentReferrals,
      ...(stoppedAt !== undefined
        ? { stopped: { date: stoppedAt === null ? null : localWhen(stoppedAt, zone, locale, false) } }
        : {}),
      ...(pausedUntil !== undefined ? { pausedUntil: localWhen(pausedUntil, zone, locale, false) } : {}),
      texts: newest.slice(0, TEXTS_SHOWN).map((t) => ({
        at: t.receivedAt,
        date: localWhen(t.receivedAt, zone, locale),
        text: shorten(t.body),
      })),
      moreTexts: Math.max(0, newest.length - TEXTS_SHOWN),
    };
    if (
      escalations.length ||
      callRequests.length ||
      studentReferrals.length ||
      alerts.stopped ||
      alerts.pausedUntil ||
      newest.length
    )
      out.set(s.id, alerts);
  }
  return out;
}
