import { DateTime, type WeekdayNumbers } from 'luxon';
import { z } from 'zod';

/** An ISO week such as '2026-W48' (weeks start on Monday; the week-year can differ from the calendar year). */
export const IsoWeek = z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'must look like 2026-W48');
export type IsoWeek = z.infer<typeof IsoWeek>;

/** Local time of day 'HH:mm'. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must look like 08:00');

function parse(isoWeek: string): { weekYear: number; weekNumber: number } {
  const w = IsoWeek.parse(isoWeek);
  return { weekYear: Number(w.slice(0, 4)), weekNumber: Number(w.slice(6)) };
}

function format(dt: DateTime): string {
  return `${dt.weekYear}-W${String(dt.weekNumber).padStart(2, '0')}`;
}

/** The ISO week that instant `ms` falls in, reckoned in `zone`. Example: `isoWeekOf(t, 'America/Chicago')` → '2026-W48'. */
export function isoWeekOf(ms: number, zone: string): string {
  return format(DateTime.fromMillis(ms, { zone }));
}

/** Monday 00:00 (inclusive) to the next Monday 00:00 (exclusive) of an ISO week in `zone`, as epoch ms. */
export function weekBounds(isoWeek: string, zone: string): { start: number; end: number } {
  const monday = DateTime.fromObject({ ...parse(isoWeek), weekday: 1 }, { zone }).startOf('day');
  if (!monday.isValid) throw new Error(`period:invalid_week ${isoWeek} ${zone}`);
  return { start: monday.toMillis(), end: monday.plus({ weeks: 1 }).toMillis() };
}

/** The instant of weekday `isoWeekday` (1 = Monday) at local `hhmm` in an ISO week, in `zone` (DST-aware). */
export function localTimeInWeek(isoWeek: string, zone: string, isoWeekday: number, hhmm: string): number {
  const [hour, minute] = LocalTime.parse(hhmm).split(':').map(Number) as [number, number];
  const dt = DateTime.fromObject(
    { ...parse(isoWeek), weekday: isoWeekday as WeekdayNumbers, hour, minute },
    { zone },
  );
  if (!dt.isValid) throw new Error(`period:invalid_time ${isoWeek} ${isoWeekday} ${hhmm} ${zone}`);
  return dt.toMillis();
}

/** The local ISO date 'YYYY-MM-DD' of weekday `isoWeekday` in an ISO week. */
export function dateInWeek(isoWeek: string, isoWeekday: number): string {
  return DateTime.fromObject(
    { ...parse(isoWeek), weekday: isoWeekday as WeekdayNumbers },
    { zone: 'UTC' },
  ).toISODate()!;
}

/** The ISO week `n` weeks after (or before, when negative) `isoWeek`. */
export function addWeeks(isoWeek: string, n: number): string {
  return format(DateTime.fromObject({ ...parse(isoWeek), weekday: 1 }, { zone: 'UTC' }).plus({ weeks: n }));
}

/** The local ISO date of instant `ms` in `zone`. */
export function localDate(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate()!;
}
