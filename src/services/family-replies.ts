import { parsePhoneNumberWithError } from 'libphonenumber-js';
import type { MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import { type GuardianRow, RosterRepository } from '../store/repositories/roster.js';

// The replies a family's own text gets, by text key, and the school details they name.

/** Text keys of the replies to a family's text (locales/<lng>/family.json). */
export const REPLY_KEYS = {
  help: 'family.help',
  helpNoPhone: 'family.help_no_phone',
  optOutConfirm: 'family.stop_confirm',
  optInConfirm: 'family.start_confirm',
  languageSet: 'family.language_switched',
  languageList: 'family.language_list',
  crisis: 'family.crisis',
  unknownNumber: 'family.unknown_number',
  messageReceived: 'family.message_received',
  optOutQuestion: 'family.stop_question',
  pauseConfirm: 'family.pause_confirm',
} as const;

/** A stored E.164 number as a family would dial it at home: '+13125550100' becomes '(312) 555-0100'. */
export function formatSchoolPhone(e164: string | null): string {
  if (!e164) return '';
  try {
    return parsePhoneNumberWithError(e164).formatNational();
  } catch {
    // The roster stores only numbers it has normalised; a stray value is shown as stored, not dropped.
    return e164;
  }
}

/**
 * A reply that names the school and its phone (STOP/START confirmations, HELP). `schoolPhone` overrides the
 * phone the roster stores for the school.
 */
export async function schoolReply(
  tx: DbOrTx,
  guardian: GuardianRow,
  key: string,
  schoolPhone?: (schoolId: string) => string,
): Promise<MessagePayload> {
  const roster = new RosterRepository(tx);
  const student = (await roster.studentsOfGuardian(guardian.id))[0];
  const school = student ? await roster.school(student.schoolId) : undefined;
  if (!school) return { key, params: { school: '', phone: '' } };
  const phone = schoolPhone ? schoolPhone(school.id) : formatSchoolPhone(school.phone);
  return { key, params: { school: school.name, phone } };
}
