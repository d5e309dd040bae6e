import type { Texts } from '../../i18n/index.js';
import { isoWeekOf } from '../../jobs/period.js';
import type { MessageParam } from '../../messages.js';
import { familyNoteFor } from '../../services/family-notes.js';
import type { DbOrTx } from '../../store/db.js';
import { CheckinRepository, checkinSubject } from '../../store/repositories/checkins.js';
import { NeedRepository } from '../../store/repositories/needs.js';
import { RosterRepository, type StaffRow } from '../../store/repositories/roster.js';
import type { CaseloadEntry, CheckinStatus } from './blocks.js';
import { label } from './labels.js';

/** The ISO week a navigator's check-ins are reckoned in: the school's zone, else the navigator's. */
export function navigatorWeek(db: DbOrTx, navigator: StaffRow, now: number): string {
  const school = navigator.schoolId ? new RosterRepository(db).school(navigator.schoolId) : undefined;
  return isoWeekOf(now, school?.timezone ?? navigator.timezone);
}

/**
 * A navigator's students with this week's status. With `details`, the lines under each student on the App
 * Home: open needs by area with their status, and what the family said this week.
 */
export function caseloadEntries(
  db: DbOrTx,
  texts: Texts,
  options: { navigatorId: string; period: string; locale: string; now: number; details?: boolean },
): CaseloadEntry[] {
  const { navigatorId, period, locale, now } = options;
  const students = new RosterRepository(db).caseloadOf(navigatorId);
  const checkins = new CheckinRepository(db);
  const needs = options.details ? new NeedRepository(db).needsOf(students.map((s) => s.id)) : [];
  return students.map((s) => {
    const row = checkins.get(period, checkinSubject('navigator', { navigatorId, studentId: s.id }));
    const entry: CaseloadEntry = {
      id: s.id,
      firstName: s.firstName,
      grade: s.grade,
      status: (row?.status ?? 'pending') as CheckinStatus,
    };
    if (!options.details) return entry;
    const details: string[] = [];
    const open = needs.filter((n) => n.studentId === s.id);
    details.push(
      open.length === 0
        ? label(locale, 'noOpenNeeds')
        : label(locale, 'openNeeds', {
            list: open
              .map(
                (n) =>
                  `${texts.t(`navigator.area.${n.area}`, locale).text} (${n.status.replaceAll('_', ' ')})`,
              )
              .join(', '),
          }),
    );
    const note = familyNoteFor(db, texts, s, locale, now);
    if (note)
      details.push(
        label(locale, 'familySaid', {
          text: texts.t(note.key, locale, note.params as Record<string, MessageParam> | undefined).text,
        }),
      );
    entry.details = details;
    return entry;
  });
}
