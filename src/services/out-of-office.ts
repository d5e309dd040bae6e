import { DateTime } from 'luxon';
import type { AppContext } from '../context.js';
import type { StaffKey } from '../i18n/staff.js';
import { localDate } from '../jobs/period.js';
import { OutOfOfficeRepository } from '../store/repositories/out-of-office.js';
import type { StaffRow } from '../store/repositories/roster.js';

/** Longest out-of-office a navigator may set themselves. */
export const MAX_OOO_DAYS = 60;

/** A checked out-of-office range (ISO dates, inclusive), or why it was refused (a staff text key). */
export type OutOfOfficeRange =
  | { kind: 'ooo'; from: string; to: string }
  | {
      kind: 'invalid';
      problem: Extract<StaffKey, 'oooInvalid' | 'oooOrder' | 'oooTooLong' | 'oooPast'>;
      params?: Record<string, string | number>;
    };

function isoDate(text: string | undefined): DateTime | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const d = DateTime.fromISO(text, { zone: 'UTC' });
  return d.isValid ? d : null;
}

/**
 * Checks an out-of-office range a navigator typed or picked: real dates, in order, at most 60 days, not
 * wholly before `today` (their local date).
 * Example: `validateOutOfOffice('2026-12-21', '2026-12-31', '2026-12-01')` → `{ kind: 'ooo', from, to }`.
 */
export function validateOutOfOffice(
  fromText: string | undefined,
  toText: string | undefined,
  today: string,
): OutOfOfficeRange {
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

/** A navigator's own out-of-office dates: while they are away their weekly check-ins count as skipped. */
export class OutOfOffice {
  constructor(private readonly ctx: AppContext) {}

  /** The navigator's local date, against which a range is checked. */
  today(member: Pick<StaffRow, 'timezone'>): string {
    return localDate(this.ctx.clock(), member.timezone);
  }

  /** Checks a range and, when it is valid, saves it (audit-logged as `actor`). */
  async set(
    member: StaffRow,
    fromText: string | undefined,
    toText: string | undefined,
    actor: string,
  ): Promise<OutOfOfficeRange> {
    const range = validateOutOfOffice(fromText, toText, this.today(member));
    if (range.kind === 'ooo') await this.save(member.id, range.from, range.to, actor);
    return range;
  }

  /** Clears the dates (audit-logged as `actor`). */
  clear(member: StaffRow, actor: string): Promise<void> {
    return this.save(member.id, null, null, actor);
  }

  private async save(staffId: string, from: string | null, to: string | null, actor: string): Promise<void> {
    const by = { actor, at: this.ctx.clock() };
    await this.ctx.db.transaction((tx) => new OutOfOfficeRepository(tx).set(staffId, from, to, by));
  }
}
