import { type OutOfOfficeRange, validateOutOfOffice } from '../../services/out-of-office.js';

/** What `/checkin <text>` asks for. */
export type CheckinCommand =
  | { kind: 'start' }
  | { kind: 'status' }
  | { kind: 'help' }
  | { kind: 'ooo_off' }
  | OutOfOfficeRange;

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
