import { localDate } from './period.js';

/** The out-of-office fields of a staff member: inclusive ISO dates in their own time zone. */
export interface OutOfOffice {
  oooFrom: string | null;
  oooTo: string | null;
  timezone: string;
}

/**
 * True when the staff member is out of office on `date` (an ISO date, or an instant read in their zone).
 * An open end (only `oooFrom` or only `oooTo`) extends indefinitely on that side.
 */
export function isOutOfOffice(staff: OutOfOffice, date: string | number): boolean {
  if (!staff.oooFrom && !staff.oooTo) return false;
  const day = typeof date === 'number' ? localDate(date, staff.timezone) : date;
  return (!staff.oooFrom || staff.oooFrom <= day) && (!staff.oooTo || day <= staff.oooTo);
}
