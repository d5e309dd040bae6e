import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { type NewTimer, TIMERS_PER_STATEMENT, TimerRepository } from '../store/repositories/timers.js';
import { breakOn, EMPTY_CALENDAR, openSchoolDays, type SchoolCalendar } from './calendar.js';
import { dateInWeek, localTimeInWeek } from './period.js';

/** Timer kinds of the weekly check-ins, planned here; their handlers and rules: `checkinTimerHandlers`. */
export const TIMER_KINDS = {
  navigatorPrompt: 'navigator_prompt',
  navigatorReminder: 'navigator_reminder',
  navigatorExpiry: 'navigator_expiry',
  /** Run instead of a prompt or an expiry when the navigator is out of office: check-ins become skipped. */
  navigatorCheckinsSkipped: 'navigator_checkins_skipped',
  familyCheckin: 'family_checkin',
  familyReminder: 'family_reminder',
  familyExpiry: 'family_expiry',
} as const;

/** The lead navigators' weekly digest of a school; its handler: `digestTimerHandlers`. */
export const DIGEST_TIMER_KIND = 'digest_weekly';
/** The digest goes out on the last open school day of the week (Friday unless a holiday), at this local time. */
export const DIGEST_TIME = '15:00';

/** Kinds that start or nudge a conversation: pointless once their week (or check-in window) is over. */
export const PROMPT_KINDS: ReadonlySet<string> = new Set([
  TIMER_KINDS.navigatorPrompt,
  TIMER_KINDS.navigatorReminder,
  TIMER_KINDS.familyCheckin,
  TIMER_KINDS.familyReminder,
]);

/** What every planned timer carries in its payload. */
export interface PlannedTimerPayload {
  schoolId: string;
  period: string;
  navigatorId?: string;
  guardianId?: string;
  /** After this instant a prompt or reminder is no longer sent (the week or the check-in window is over). */
  lateAfter: number;
}

/** The unique key of a planned timer: one per kind, person and ISO week. */
export function plannedTimerKey(kind: string, personId: string, isoWeek: string): string {
  return `${kind}|${personId}|${isoWeek}`;
}

/** Which channels can reach people now. Without SMS (no Twilio, not local mode) families get no timers. */
export interface AvailableChannels {
  sms: boolean;
}

/** SMS is available with Twilio configured, or in local mode where the simulator's phones stand in. */
export function availableChannels(config: Pick<Config, 'twilio' | 'localMode'>): AvailableChannels {
  return { sms: Boolean(config.twilio) || config.localMode };
}

/** Options of `planWeek`. */
export interface PlanOptions {
  calendar?: SchoolCalendar;
  /** Default: `availableChannels(ctx.config)`. */
  channels?: AvailableChannels;
}

/** What planning a week did. `promptKeys` are the prompts of the week (for a manual run). */
export interface WeekPlan {
  schoolId: string;
  isoWeek: string;
  skipped?: 'school_break' | 'unknown_school';
  breakName?: string;
  /** Set when family check-ins were not planned, and why. */
  familiesSkipped?: 'no_sms_channel';
  /** The week's digest timer; apart from `created`/`existing`, which count check-in timers. */
  digest?: 'created' | 'existing';
  created: number;
  existing: number;
  navigators: number;
  guardians: number;
  promptKeys: string[];
}

const FAMILY_REMINDER_AFTER_HOURS = 24;
const FAMILY_EXPIRY_AFTER_DAYS = 3;

/**
 * Plans a school's timers for one ISO week: navigator prompt, mid-week reminder and end-of-week expiry (in
 * the school's zone); family check-in, reminder after 24 h and expiry after 3 days (in each family's zone).
 * Idempotent through timers.uniqueKey; a break week plans nothing. A guardian with children in two schools
 * gets one family check-in a week (the key has no school). Without an SMS channel no family timer is planned.
 * The lead navigators' digest of the week fires at `DIGEST_TIME` on the last open day (school's zone).
 */
export async function planWeek(
  ctx: AppContext,
  schoolId: string,
  isoWeek: string,
  options: PlanOptions = {},
): Promise<WeekPlan> {
  const calendar = options.calendar ?? EMPTY_CALENDAR;
  const channels = options.channels ?? availableChannels(ctx.config);
  const repo = new TimerRepository(ctx.db);
  const plan: WeekPlan = {
    schoolId,
    isoWeek,
    created: 0,
    existing: 0,
    navigators: 0,
    guardians: 0,
    promptKeys: [],
  };
  const school = await repo.school(schoolId);
  if (!school) return { ...plan, skipped: 'unknown_school' };
  const openDays = openSchoolDays(calendar, schoolId, isoWeek);
  if (openDays.length === 0) {
    const name = breakOn(calendar, schoolId, dateInWeek(isoWeek, 1))?.name;
    return { ...plan, skipped: 'school_break', ...(name ? { breakName: name } : {}) };
  }

  const zone = school.timezone;
  const lastDay = openDays[openDays.length - 1]!;
  const weekOver = DateTime.fromMillis(localTimeInWeek(isoWeek, zone, lastDay, '00:00'), { zone })
    .plus({ days: 1 })
    .toMillis();
  // A prompt day that falls on a holiday moves to the next open day of the week.
  const promptDay = openDays.find((d) => d >= school.navigatorPromptDay) ?? lastDay;
  const reminderDay = promptDay + 2 <= lastDay ? promptDay + 2 : undefined;
  const now = ctx.clock();
  const navigators = await repo.navigatorsOf(schoolId);
  const families = channels.sms ? await repo.guardiansOf(schoolId) : [];
  if (!channels.sms) plan.familiesSkipped = 'no_sms_channel';
  plan.navigators = navigators.length;
  plan.guardians = families.length;

  // The week's timers are written together (a statement per few hundred), not one statement each: a
  // district's week is tens of thousands of them, planned at start and every hour.
  const planned: NewTimer[] = [];
  const add = (kind: string, personId: string, fireAt: number, payload: PlannedTimerPayload) => {
    const uniqueKey = plannedTimerKey(kind, personId, isoWeek);
    planned.push({ id: ctx.ids(), kind, uniqueKey, fireAt, payload: { ...payload }, createdAt: now });
    if (PROMPT_KINDS.has(kind) && !kind.endsWith('_reminder')) plan.promptKeys.push(uniqueKey);
  };
  for (const nav of navigators) {
    const base = { schoolId, period: isoWeek, navigatorId: nav.id, lateAfter: weekOver };
    const promptAt = localTimeInWeek(isoWeek, zone, promptDay, school.navigatorPromptTime);
    add(TIMER_KINDS.navigatorPrompt, nav.id, promptAt, base);
    if (reminderDay)
      add(
        TIMER_KINDS.navigatorReminder,
        nav.id,
        localTimeInWeek(isoWeek, zone, reminderDay, school.navigatorPromptTime),
        base,
      );
    add(TIMER_KINDS.navigatorExpiry, nav.id, weekOver, base);
  }
  // A school's families live in a few zones: each zone's times are worked out once (time-zone arithmetic was a
  // fifth of planning a district's week).
  const familyTimes = new Map<string, { at: number; expiry: number }>();
  const familyTimesIn = (zone: string) => {
    let times = familyTimes.get(zone);
    if (!times) {
      const at = localTimeInWeek(isoWeek, zone, school.familyCheckinDay, school.familyCheckinTime);
      const expiry = DateTime.fromMillis(at, { zone }).plus({ days: FAMILY_EXPIRY_AFTER_DAYS }).toMillis();
      times = { at, expiry };
      familyTimes.set(zone, times);
    }
    return times;
  };
  for (const g of families) {
    const { at, expiry } = familyTimesIn(g.timezone);
    const base = { schoolId, period: isoWeek, guardianId: g.id, lateAfter: expiry };
    add(TIMER_KINDS.familyCheckin, g.id, at, base);
    add(TIMER_KINDS.familyReminder, g.id, at + FAMILY_REMINDER_AFTER_HOURS * 3_600_000, base);
    add(TIMER_KINDS.familyExpiry, g.id, expiry, base);
  }
  const digestKey = plannedTimerKey(DIGEST_TIMER_KIND, schoolId, isoWeek);
  const digest: NewTimer = {
    id: ctx.ids(),
    kind: DIGEST_TIMER_KIND,
    uniqueKey: digestKey,
    fireAt: localTimeInWeek(isoWeek, zone, lastDay, DIGEST_TIME),
    payload: { schoolId, period: isoWeek },
    createdAt: now,
  };

  // A statement's worth at a time, each its own turn on the store: a district school's week is thousands of
  // timers, and in one transaction every request waited for all of them. Nothing needs them together: each
  // insert ignores a timer already planned, so a planning cut short is finished by the next one.
  const timers = new TimerRepository(ctx.db);
  const all = [...planned, digest];
  const created = new Set<string>();
  for (let i = 0; i < all.length; i += TIMERS_PER_STATEMENT)
    for (const key of await timers.scheduleMany(all.slice(i, i + TIMERS_PER_STATEMENT))) created.add(key);
  plan.created = planned.filter((t) => created.has(t.uniqueKey)).length;
  plan.existing = planned.length - plan.created;
  plan.digest = created.has(digestKey) ? 'created' : 'existing';
  return plan;
}
