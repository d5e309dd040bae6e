import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { dateInWeek } from './period.js';

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date such as 2026-11-23');

/** A break or holiday: inclusive local dates. Example: `{ name: 'Thanksgiving', from: '2026-11-25', to: '2026-11-27' }`. */
export const CalendarBreak = z
  .object({ name: z.string().min(1), from: IsoDate, to: IsoDate })
  .refine((b) => b.from <= b.to, { message: 'from must not be after to' });
export type CalendarBreak = z.infer<typeof CalendarBreak>;

const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time such as 08:00');

/**
 * When a school is open: ISO weekdays (1 = Monday) and local times. Example (the default):
 * `{ days: [1, 2, 3, 4, 5], start: '08:00', end: '16:00' }`. Normal escalations are due within these hours.
 */
export const SchoolHours = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
    start: LocalTime.default('08:00'),
    end: LocalTime.default('16:00'),
  })
  .refine((h) => h.start < h.end, { message: 'start must be before end' });
export type SchoolHours = z.infer<typeof SchoolHours>;

/** Breaks and holidays (and school hours) that apply to every school, and per school id. The file admins edit. */
export const SchoolCalendar = z.object({
  district: z
    .object({ breaks: z.array(CalendarBreak).default([]), hours: SchoolHours.optional() })
    .default({ breaks: [] }),
  schools: z
    .record(
      z.string(),
      z.object({ breaks: z.array(CalendarBreak).default([]), hours: SchoolHours.optional() }),
    )
    .default({}),
});
export type SchoolCalendar = z.infer<typeof SchoolCalendar>;

export const EMPTY_CALENDAR: SchoolCalendar = { district: { breaks: [] }, schools: {} };

/** Reads and validates a calendar file; a missing file means no breaks. Throws naming the bad entries. */
export function loadCalendar(path: string): SchoolCalendar {
  if (!existsSync(path)) return EMPTY_CALENDAR;
  const parsed = SchoolCalendar.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`calendar:invalid ${path}: ${problems}`);
  }
  return parsed.data;
}

function breaksOf(calendar: SchoolCalendar, schoolId: string): CalendarBreak[] {
  return [...calendar.district.breaks, ...(calendar.schools[schoolId]?.breaks ?? [])];
}

/** The break covering a local date at a school, if any. */
export function breakOn(calendar: SchoolCalendar, schoolId: string, date: string): CalendarBreak | undefined {
  return breaksOf(calendar, schoolId).find((b) => b.from <= date && date <= b.to);
}

/** ISO weekdays (1–5) of a week on which the school is open. */
export function openSchoolDays(calendar: SchoolCalendar, schoolId: string, isoWeek: string): number[] {
  return [1, 2, 3, 4, 5].filter((d) => !breakOn(calendar, schoolId, dateInWeek(isoWeek, d)));
}

/** True when every school day (Monday–Friday) of the week falls in a break or holiday: the week is skipped. */
export function isSchoolBreak(calendar: SchoolCalendar, schoolId: string, isoWeek: string): boolean {
  return openSchoolDays(calendar, schoolId, isoWeek).length === 0;
}
