import { DateTime } from 'luxon';
import type { LabelKey } from './labels.js';

/** Longest out-of-office a navigator may set themselves. */
export const MAX_OOO_DAYS = 60;

/** What `/checkin <text>` asks for. */
export type CheckinCommand =
  | { kind: 'start' }
  | { kind: 'status' }
  | { kind: 'help' }
  | { kind: 'ooo'; from: string; to: string }
  | { kind: 'ooo_off' }
  | { kind: 'invalid'; problem: LabelKey; params?: Record<string, string | number> };

function isoDate(text: string | undefined): DateTime | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const d = DateTime.fromISO(text, { zone: 'UTC' });
  return d.isValid ? d : null;
}

/**
 * Reads `/checkin` text: '' or 'start'/'resume', 'status', 'help', 'ooo <from> <to>' (ISO dates, inclusive),
 * 'ooo off'. `today` is the navigator's local date, so a range wholly in the past is refused.
 * Example: `parseCheckinCommand('ooo 2026-12-21 2026-12-31', '2026-12-01')` → `{ kind: 'ooo', ... }`.
 */
export function parseCheckinCommand(text: string, today: string): CheckinCommand {
  const [verb = '', ...args] = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  switch (verb) {
    case '':
    case 'start':
    case 'resume':
      return { kind: 'start' };
    case 'status':
      return { kind: 'status' };
    case 'ooo': {
      if (args.length === 1 && ['off', 'clear', 'end'].includes(args[0]!)) return { kind: 'ooo_off' };
      return validateOutOfOffice(args[0], args[1], today);
    }
    default:
      return { kind: 'help' };
  }
}

/** Checks an out-of-office range (also used by the App Home date pickers). */
export function validateOutOfOffice(
  fromText: string | undefined,
  toText: string | undefined,
  today: string,
): Extract<CheckinCommand, { kind: 'ooo' | 'invalid' }> {
  const from = isoDate(fromText);
  const to = isoDate(toText);
  if (!from || !to) return { kind: 'invalid', problem: 'oooInvalid' };
  if (to < from) return { kind: 'invalid', problem: 'oooOrder' };
  if (to.diff(from, 'days').days + 1 > MAX_OOO_DAYS)
    return { kind: 'invalid', problem: 'oooTooLong', params: { days: MAX_OOO_DAYS } };
  const now = isoDate(today);
  if (now && to < now) return { kind: 'invalid', problem: 'oooPast' };
  return { kind: 'ooo', from: from.toISODate()!, to: to.toISODate()! };
}
