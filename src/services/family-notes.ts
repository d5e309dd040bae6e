import type { ScriptStudent } from '../dialogs/types.js';
import type { Texts } from '../i18n/index.js';
import type { DbOrTx } from '../store/db.js';
import { CheckinRepository } from '../store/repositories/checkins.js';
import { NeedRepository } from '../store/repositories/needs.js';

const DAY = 24 * 60 * 60 * 1000;
const FAMILY_HOW_KEY = 'family.how';

/**
 * What the family said in the last seven days, for the navigator's next check-in ("Ana's family says this
 * week is hard (food)."). Area names are rendered here in the navigator's language, since note params are text.
 */
export function familyNoteFor(
  db: DbOrTx,
  texts: Texts,
  student: { id: string; firstName: string },
  navigatorLocale: string,
  now: number,
): ScriptStudent['familyNote'] | undefined {
  const since = now - 7 * DAY;
  const needs = new NeedRepository(db).familyNeedsSince(student.id, since);
  if (needs.length > 0) {
    const areas = needs.map((n) => texts.t(`navigator.area.${n.area}`, navigatorLocale).text).join(', ');
    return { key: 'navigator.family_said_hard', params: { name: student.firstName, areas } };
  }
  const how = new CheckinRepository(db)
    .answersForStudent(student.id, 20)
    .find((a) => a.questionKey === FAMILY_HOW_KEY && a.answeredAt >= since);
  if (how?.value === 'good' || how?.value === 'ok')
    return { key: `navigator.family_said_${how.value}`, params: { name: student.firstName } };
  return undefined;
}
