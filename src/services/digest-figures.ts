import type { SchoolCalendar } from '../jobs/calendar.js';
import type { NEED_SEVERITIES, NeedArea } from '../vocabulary.js';

// What a lead navigator's weekly digest says: its figures and their defaults. How they are counted from the
// records is src/services/digest.ts; what each means is docs/digest.md.

/** Open needs older than this many days with no referral are listed as waiting. */
export const WAITING_NEED_DAYS = 14;
/** A family with no reply in this many weeks (the digest's week and the ones before) is silent. */
export const SILENT_WEEKS = 3;
/** Weeks of completion in the trend, ending with the digest's week. */
export const TREND_WEEKS = 6;

const _DAY_MS = 24 * 60 * 60_000;

/** Which schools a digest covers: one school, or every school of the district. */
export type DigestScope = { schoolId: string } | { district: true };

/** Why a digest could not be computed; returned, not thrown. */
export type DigestProblem = 'digest:unknown_school' | 'digest:invalid_week';

/** Options of `computeDigest`. */
export interface DigestOptions {
  /** Breaks and holidays: in a break week no check-ins are planned, so the caseload counts as on break. */
  calendar?: SchoolCalendar;
  waitingNeedDays?: number;
}

/**
 * One navigator's week. Example: `{ navigatorId: 'nav-1', caseload: 12, met: 9, notReached: 1, skipped: 0,
 * missed: 2, open: 0, notStarted: 0, schoolBreak: 0, leftCaseload: 0, late: true }`.
 */
export interface NavigatorWeek {
  schoolId: string;
  navigatorId: string;
  /** Students on the caseload now. */
  caseload: number;
  /** Check-ins done where the navigator connected with the student. */
  met: number;
  /** Check-ins done where the navigator tried but could not reach the student (unreachable or absent). */
  notReached: number;
  /** Skipped: the navigator was out of office, or skipped the student. */
  skipped: number;
  missed: number;
  /** Pending or in progress at the time of the digest. */
  open: number;
  /** Students on the caseload now with no check-in this week (no prompt went out). */
  notStarted: number;
  /** Students not checked in because the whole week was a school break. */
  schoolBreak: number;
  /** Check-ins this week of students no longer on this navigator's caseload. */
  leftCaseload: number;
  /** Missed check-ins, or check-ins still not done once the mid-week reminder was due. */
  late: boolean;
}

/**
 * Check-ins completed out of those expected (skipped ones are not expected). `rate` is null when none were.
 * A check-in where the navigator could not reach the student (unreachable, absent) is `attempted`, not
 * completed: it counts in `expected` but not in `completed` or `rate`.
 */
export interface Completion {
  week: string;
  expected: number;
  completed: number;
  attempted: number;
  rate: number | null;
}

/** Families' texts in one week. Counts are of families (guardians), not of texts. */
export interface FamilyCounts {
  families: number;
  texted: number;
  delivered: number;
  replied: number;
  /** Opted out now: SMS status, consent revoked, or the phone said STOP (the consent rule's reading). */
  optedOut: number;
  /** Consent revoked during the week (STOP, a carrier block, or the roster saying no). */
  optedOutThisWeek: number;
  /** Cannot be texted for a reason that is not their choice: no phone, invalid number, carrier unreachable. */
  unreachable: number;
}

/** Why a family has been silent, most telling first. */
export const SILENCE_REASONS = [
  'no_phone',
  'invalid_number',
  'opted_out',
  'unreachable',
  'no_consent',
  'delivered_no_reply',
  'not_delivered',
  'not_texted',
] as const;
export type SilenceReason = (typeof SILENCE_REASONS)[number];

/** New needs by area, each by severity. */
export type NeedsByArea = Partial<Record<NeedArea, Record<(typeof NEED_SEVERITIES)[number], number>>>;

/**
 * Referrals as they stood at the time of the digest: open ones by status (still waiting for the family to be
 * connected, connected, receiving help), made and closed during the week, and connected ones whose family
 * answered the follow-up "not yet".
 */
export interface ReferralCounts {
  waiting: { total: number; byStatus: { referred: number; connected: number; receiving: number } };
  madeThisWeek: number;
  resolvedThisWeek: number;
  declinedThisWeek: number;
  familySaidNotYet: number;
}

/** Escalations as they stood at the time of the digest. */
export interface EscalationCounts {
  raised: number;
  open: number;
  /** Open, not picked up, past their deadline. */
  overdue: number;
  resolved: number;
  /** Picked up (claimed, or resolved without a claim) during the week. */
  claimed: number;
  medianMinutesToClaim: number | null;
}

/** The lead navigators' weekly digest of one school or the district. */
export interface Digest {
  scope: 'school' | 'district';
  schools: { id: string; name: string }[];
  week: string;
  /** The instant the figures describe: the end of the week, or now while the week runs. */
  asOf: number;
  /** Schools whose whole week was a break. */
  breakSchools: string[];
  /**
   * District digest only: texts this week from numbers no guardian has (a new phone, a wrong roster row).
   * They belong to no school's navigator, so the district reads them (`family_texts`, guardian empty).
   */
  unknownNumberTexts?: number;
  navigators: NavigatorWeek[];
  completion: Completion;
  families: FamilyCounts & {
    byLanguage: Record<string, FamilyCounts>;
    silent: {
      weeks: number;
      total: number;
      byReason: Record<SilenceReason, number>;
      guardians: { guardianId: string; reason: SilenceReason }[];
    };
  };
  needs: {
    newThisWeek: { total: number; byArea: NeedsByArea };
    waitingWithoutReferral: {
      olderThanDays: number;
      total: number;
      byArea: Partial<Record<NeedArea, number>>;
    };
  };
  referrals: ReferralCounts;
  escalations: EscalationCounts;
  /** This week minus last week; the rate in percentage points. */
  change: {
    completionRate: number | null;
    completed: number;
    missed: number;
    familiesReplied: number;
    newNeeds: number;
    escalationsOpen: number;
  };
  trend: Completion[];
}
