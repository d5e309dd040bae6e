import type { ScriptStudent } from '../dialogs/types.js';
import type { Texts } from '../i18n/index.js';
import type { DbOrTx } from '../store/db.js';
import { CheckinRepository } from '../store/repositories/checkins.js';
import { NeedRepository } from '../store/repositories/needs.js';
import { RosterRepository } from '../store/repositories/roster.js';
import { type FamilyMessageRow, SmsRepository } from '../store/repositories/sms.js';

const DAY = 24 * 60 * 60 * 1000;
const FAMILY_HOW_KEY = 'family.how';
const NOTE_MAX = 200;

/**
 * What the family said in the last seven days, for the navigator's next check-in: the newest text they sent
 * outside a check-in ("Note from Ana's family this week: ..."), else the needs they raised ("Ana's family
 * says this week is hard (food)."), else how they said the week went. Area names are rendered here in the
 * navigator's language, since note params are text.
 */
export async function familyNoteFor(
  db: DbOrTx,
  texts: Texts,
  student: { id: string; firstName: string },
  navigatorLocale: string,
  now: number,
): Promise<ScriptStudent['familyNote'] | undefined> {
  const since = now - 7 * DAY;
  // A text the family sent outside a check-in is for the navigator: show the newest, shortened.
  const sms = new SmsRepository(db);
  const written: FamilyMessageRow[] = [];
  let pausedUntil: number | undefined;
  for (const g of await new RosterRepository(db).guardiansOf(student.id)) {
    written.push(...(await sms.familyMessagesSince(g.id, since)));
    pausedUntil ??= (await sms.pauseAt(g.phone, now))?.until;
  }
  const newest = written.sort((a, b) => b.receivedAt - a.receivedAt)[0];
  if (newest) {
    const text = newest.body.length > NOTE_MAX ? `${newest.body.slice(0, NOTE_MAX - 1)}…` : newest.body;
    // The family's PAUSE is in their words and language; the date tells the navigator what it means.
    const note = pausedUntil ? `${text} (⏸ ${new Date(pausedUntil).toISOString().slice(0, 10)})` : text;
    return { key: 'navigator.family_note', params: { name: student.firstName, note } };
  }
  const needs = await new NeedRepository(db).familyNeedsSince(student.id, since);
  if (needs.length > 0) {
    const areas = needs.map((n) => texts.t(`navigator.area.${n.area}`, navigatorLocale).text).join(', ');
    return { key: 'navigator.family_said_hard', params: { name: student.firstName, areas } };
  }
  const how = (await new CheckinRepository(db).answersForStudent(student.id, 20)).find(
    (a) => a.questionKey === FAMILY_HOW_KEY && a.answeredAt >= since,
  );
  if (how?.value === 'good' || how?.value === 'ok')
    return { key: `navigator.family_said_${how.value}`, params: { name: student.firstName } };
  return undefined;
}
