import { existsSync } from 'node:fs';
import { DateTime } from 'luxon';
import { breakOn, EMPTY_CALENDAR, loadCalendar, type SchoolCalendar, type SchoolHours } from './calendar.js';

// School hours decide when a normal (not urgent) deadline falls: a counselor has until the end of the next
// school day, which skips weekends, breaks and holidays of that school's calendar. Hours come from the
// calendar file: a school's own `hours`, else the district's, else Monday to Friday 08:00–16:00.

/** Monday to Friday, 08:00–16:00 in the school's time zone. */
export const DEFAULT_SCHOOL_HOURS: SchoolHours = { days: [1, 2, 3, 4, 5], start: '08:00', end: '16:00' };

/** Longer than any break a calendar holds (a summer); past it the calendar is taken to be wrong. */
const MAX_DAYS_AHEAD = 120;

/** A school's hours; `null` (a case with no known school) uses the district's. */
export function schoolHoursOf(calendar: SchoolCalendar, schoolId: string | null): SchoolHours {
  return (
    (schoolId ? calendar.schools[schoolId]?.hours : undefined) ??
    calendar.district.hours ??
    DEFAULT_SCHOOL_HOURS
  );
}

/** Whether a local date (in the school's zone) is a school day: one of its days, and in no break. */
export function isSchoolDay(calendar: SchoolCalendar, schoolId: string | null, day: DateTime): boolean {
  const hours = schoolHoursOf(calendar, schoolId);
  if (!hours.days.includes(day.weekday)) return false;
  return !breakOn(calendar, schoolId ?? '', day.toISODate()!);
}

function atLocal(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number);
  return day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
}

/**
 * The close of the `n`-th school day after the local date of `at` (n ≥ 1), in ms. Raised on a Friday (or a
 * Saturday) with n = 1: Monday's close; raised on a Wednesday: Thursday's close. A calendar with no school day
 * in sight falls back to `n` whole days later.
 * Example: `endOfSchoolDaysAfter(Date.parse('2026-11-27T20:00Z'), 1, 'America/Chicago', cal, 'lincoln-es')`.
 */
export function endOfSchoolDaysAfter(
  at: number,
  n: number,
  zone: string,
  calendar: SchoolCalendar,
  schoolId: string | null,
): number {
  const hours = schoolHoursOf(calendar, schoolId);
  let day = DateTime.fromMillis(at, { zone }).startOf('day');
  let found = 0;
  for (let i = 0; i < MAX_DAYS_AHEAD; i += 1) {
    day = day.plus({ days: 1 });
    if (isSchoolDay(calendar, schoolId, day)) found += 1;
    if (found === n) return atLocal(day, hours.end).toMillis();
  }
  return at + n * 24 * 60 * 60_000;
}

/** Whether the school is open at `at`: a school day, between its start and end. */
export function inSchoolHours(
  at: number,
  zone: string,
  calendar: SchoolCalendar,
  schoolId: string | null,
): boolean {
  const local = DateTime.fromMillis(at, { zone });
  if (!isSchoolDay(calendar, schoolId, local.startOf('day'))) return false;
  const hours = schoolHoursOf(calendar, schoolId);
  const hhmm = local.toFormat('HH:mm');
  return hours.start <= hhmm && hhmm < hours.end;
}

/**
 * The calendar file read afresh (an admin's edit applies without a restart); a missing file means no breaks
 * and the default hours, an unreadable one is reported and treated the same, so a deadline is never lost.
 */
export function readSchoolCalendar(path: string, onError?: (message: string) => void): SchoolCalendar {
  if (!existsSync(path)) return EMPTY_CALENDAR;
  try {
    return loadCalendar(path);
  } catch (err) {
    onError?.(err instanceof Error ? err.message : String(err));
    return EMPTY_CALENDAR;
  }
}
