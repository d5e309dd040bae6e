import { DateTime } from 'luxon';
import { REPLY_PURPOSES } from '../sms/consent.js';

/** Quiet hours as local hours: no non-urgent family texts from `start`:00 until `end`:00 (default 20 → 8). */
export interface QuietHours {
  start: number;
  end: number;
}

/** True when the local time at `ms` in `zone` is inside the sending window [end:00, start:00). */
export function isSendingWindow(ms: number, zone: string, quiet: QuietHours): boolean {
  const hour = DateTime.fromMillis(ms, { zone }).hour;
  // The window may wrap midnight when a district configures e.g. start=2, end=10 (unusual but valid).
  return quiet.end < quiet.start
    ? hour >= quiet.end && hour < quiet.start
    : hour >= quiet.end || hour < quiet.start;
}

/**
 * The next instant at or after `ms` when the sending window opens in `zone`. Uses local wall-clock
 * arithmetic so a DST change between now and the opening shifts the instant, not the local hour.
 */
export function nextWindowOpening(ms: number, zone: string, quiet: QuietHours): number {
  if (isSendingWindow(ms, zone, quiet)) return ms;
  const now = DateTime.fromMillis(ms, { zone });
  let opening = now.set({ hour: quiet.end, minute: 0, second: 0, millisecond: 0 });
  if (opening.toMillis() <= ms) opening = opening.plus({ days: 1 }).set({ hour: quiet.end });
  return opening.toMillis();
}

/** Non-urgent SMS to guardians is the only traffic quiet hours hold back. */
export function quietHoursApply(row: { channel: string; recipientKind: string }): boolean {
  return row.channel === 'sms' && row.recipientKind === 'guardian';
}

/** Why a row may leave inside quiet hours: urgent (a crisis), or a direct reply to the family's own text. */
export type QuietHoursExemption = 'urgent' | 'reply';

/**
 * The exemption of a row from quiet hours, or null. Replies (HELP, STOP/START confirmations, the
 * acknowledgement of a text outside a check-in: `REPLY_PURPOSES`) answer a text the family just sent:
 * carriers expect them at once, and a STOP confirmation held overnight could leave after a later START's.
 */
export function quietHoursExemption(row: { urgent: boolean; purpose: string }): QuietHoursExemption | null {
  if (row.urgent) return 'urgent';
  return REPLY_PURPOSES.has(row.purpose) ? 'reply' : null;
}
