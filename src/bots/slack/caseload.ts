import type { Texts } from '../../i18n/index.js';
import { isoWeekOf } from '../../jobs/period.js';
import type { MessageParam } from '../../messages.js';
import { familyNoteFor } from '../../services/family-notes.js';
import type { DbOrTx } from '../../store/db.js';
import { CheckinRepository, checkinSubject } from '../../store/repositories/checkins.js';
import { NeedRepository } from '../../store/repositories/needs.js';
import { RosterRepository, type StaffRow } from '../../store/repositories/roster.js';
import { type GuardianReach, SlackRepository } from '../../store/repositories/slack.js';
import type { CaseloadEntry, CheckinStatus, FamilyReach } from './blocks.js';
import { label } from './labels.js';

/** The ISO week a navigator's check-ins are reckoned in: the school's zone, else the navigator's. */
export function navigatorWeek(db: DbOrTx, navigator: StaffRow, now: number): string {
  const school = navigator.schoolId ? new RosterRepository(db).school(navigator.schoolId) : undefined;
  return isoWeekOf(now, school?.timezone ?? navigator.timezone);
}

/** Why most to least telling: an opt-out is the family's choice; a missing phone is a roster gap. */
const REACH_ORDER: FamilyReach[] = ['opted_out', 'invalid', 'unreachable', 'no_phone'];

/**
 * Why a student's family cannot be texted, or null when at least one guardian can be (a phone and SMS status
 * 'active'). No guardian on file counts as no phone. Example: `[{ hasPhone: true, smsStatus: 'opted_out' }]`
 * → 'opted_out'.
 */
export function familyReach(guardians: readonly GuardianReach[]): FamilyReach | null {
  if (guardians.some((g) => g.hasPhone && g.smsStatus === 'active')) return null;
  // Every guardian here lacks a phone or has a non-active status: an 'active' one can only lack a phone.
  const reasons = new Set<FamilyReach>(
    guardians.map((g) => (!g.hasPhone || g.smsStatus === 'active' ? 'no_phone' : g.smsStatus)),
  );
  return REACH_ORDER.find((r) => reasons.has(r)) ?? 'no_phone';
}

/**
 * A navigator's students with this week's status, and a note when the family cannot be texted. With `details`, the lines under each student on the App
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
  const ids = students.map((s) => s.id);
  const needs = options.details ? new NeedRepository(db).needsOf(ids) : [];
  const guardians = new SlackRepository(db).guardianReach(ids);
  return students.map((s) => {
    const row = checkins.get(period, checkinSubject('navigator', { navigatorId, studentId: s.id }));
    const family = familyReach(guardians.get(s.id) ?? []);
    const entry: CaseloadEntry = {
      id: s.id,
      firstName: s.firstName,
      grade: s.grade,
      status: (row?.status ?? 'pending') as CheckinStatus,
      ...(family ? { family } : {}),
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
