import { parsePhoneNumberWithError } from 'libphonenumber-js';
import type { Locale } from '../../config.js';
import type { AppContext } from '../../context.js';
import type { MessagePayload } from '../../messages.js';
import { type FamilySmsService, phoneRef, type SmsReply } from '../../services/family-sms.js';
import { classifyInbound, type InboundKind } from '../../sms/classify.js';
import { LANGUAGE_ENDONYMS, TWILIO_OPT_OUT_WORDS } from '../../sms/keywords.js';
import { fold } from '../../sms/normalize.js';
import type { DbOrTx } from '../../store/db.js';
import { CheckinRepository } from '../../store/repositories/checkins.js';
import { type GuardianRow, RosterRepository } from '../../store/repositories/roster.js';
import { SmsRepository } from '../../store/repositories/sms.js';
import { keepFamilyMessage, raiseCrisis } from './family-messages.js';

/** Text keys the SMS layer sends (locales/<lng>/family.json). */
export const SMS_KEYS = {
  help: 'family.help',
  helpNoPhone: 'family.help_no_phone',
  optOutConfirm: 'family.stop_confirm',
  optInConfirm: 'family.start_confirm',
  languageSet: 'family.language_switched',
  languageList: 'family.language_list',
  crisis: 'family.crisis',
  unknownNumber: 'family.unknown_number',
  messageReceived: 'family.message_received',
} as const;

/** An inbound SMS as Twilio (or the simulator) delivers it. `optOutType`: Twilio Advanced Opt-Out's verdict. */
export interface InboundSms {
  from: string;
  body: string;
  messageSid: string;
  optOutType?: string;
}

/** What the inbound pipeline needs besides the context. */
export interface InboundSmsDeps {
  sms: FamilySmsService;
  /** Hands a text to the family's check-in conversation (wired by the check-in service). */
  continueFamilyDialog(guardianId: string, text: string): Promise<unknown> | unknown;
  /**
   * True when the sender has Twilio's own STOP handling (the default on US long codes): Twilio then
   * confirms its eight English opt-out words itself, and a second confirmation from us would be refused
   * with 21610 anyway. False for the local simulator.
   */
  carrierHandlesOptOut?: boolean;
  /**
   * The school's phone as the HELP text shows it, '' when it has none. Default: the phone the roster
   * stored for the school, in national format.
   */
  schoolPhone?: (schoolId: string) => string;
}

/** What the pipeline did, for the route's log line and for tests (no message text). */
export interface InboundOutcome {
  action:
    | 'opt_out'
    | 'opt_in'
    | 'help'
    | 'language'
    | 'language_list'
    | 'crisis'
    | 'dialog'
    | 'family_message'
    | 'ignored_opted_out'
    | 'unknown_number'
    | 'none';
  guardianId?: string;
  replies: number;
  escalationId?: string;
}

const TWILIO_WORDS = new Set(TWILIO_OPT_OUT_WORDS.map((w) => fold(w)));

/**
 * Two guardians may share one phone. Keyword changes (opt-out, opt-in, language) concern the phone, so
 * they apply to every guardian at it; a conversation concerns one guardian: the one with an active family
 * session (the newest), else the first by id.
 */
export function pickGuardian(db: DbOrTx, guardians: GuardianRow[]): GuardianRow | undefined {
  const checkins = new CheckinRepository(db);
  let best: { g: GuardianRow; at: number } | undefined;
  for (const g of guardians) {
    const s = checkins.activeSession(g.id, 'family');
    if (s && (!best || s.updatedAt > best.at)) best = { g, at: s.updatedAt };
  }
  return best?.g ?? guardians[0];
}

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

function schoolParams(db: DbOrTx, guardian: GuardianRow, deps: InboundSmsDeps): Record<string, string> {
  const roster = new RosterRepository(db);
  const student = roster.studentsOfGuardian(guardian.id)[0];
  const school = student ? roster.school(student.schoolId) : undefined;
  if (!school) return { school: '', phone: '' };
  const phone = deps.schoolPhone ? deps.schoolPhone(school.id) : formatSchoolPhone(school.phone);
  return { school: school.name, phone };
}

function kindFromTwilio(optOutType: string | undefined, classified: InboundKind): InboundKind {
  switch (optOutType?.toUpperCase()) {
    case 'STOP':
      return classified.kind === 'opt_out' ? classified : { kind: 'opt_out', word: 'stop' };
    case 'START':
      return { kind: 'opt_in', word: 'start', strong: true };
    case 'HELP':
      return { kind: 'help' };
    default:
      return classified;
  }
}

/**
 * Handles one inbound SMS (already signature-checked and recorded once): the keyword layer first, then
 * the family's dialog. Every reply goes through the outbox. Never logs the number or the text.
 */
export async function handleInboundSms(
  ctx: AppContext,
  deps: InboundSmsDeps,
  sms: InboundSms,
): Promise<InboundOutcome> {
  const guardians = deps.sms.guardiansByPhone(sms.from);
  const guardian = pickGuardian(ctx.db, guardians);
  const kind = kindFromTwilio(sms.optOutType, classifyInbound(sms.body, guardian?.locale));
  const twilioAnswered = sms.optOutType !== undefined && sms.optOutType !== '';

  if (!guardian) return unknownNumber(ctx, deps, sms, kind);

  const reply = (tx: DbOrTx, key: string, purpose: string, period: string, extra: Partial<SmsReply> = {}) =>
    deps.sms.enqueueReply(tx, {
      guardian,
      address: sms.from,
      locale: extra.locale ?? guardian.locale,
      purpose,
      payload: extra.payload ?? { key, params: schoolParams(tx, guardian, deps) },
      urgent: extra.urgent ?? false,
      period,
    });
  // The number said STOP before (perhaps for another guardian row), or every guardian at it opted out.
  const phoneOptedOut = deps.sms.phoneOptedOut(sms.from);
  const optedOut = phoneOptedOut || guardians.every((g) => g.smsStatus === 'opted_out');
  const actor = `sms:${guardian.id}`;
  // Once-a-day replies count the family's day: a Chicago text at 17:30 and one at 18:30 share it.
  const today = deps.sms.familyDay(guardian);

  switch (kind.kind) {
    case 'opt_out': {
      const carrierConfirms =
        sms.optOutType?.toUpperCase() === 'STOP' ||
        (deps.carrierHandlesOptOut === true && TWILIO_WORDS.has(kind.word));
      return ctx.db.transaction((tx) => {
        // Opt out first, then queue the one confirmation: it is written after the opt-out, which is what lets
        // it through the opt-out check at send time. None when the number had opted out already.
        deps.sms.optOut(tx, guardians, optOutSource(sms), actor, undefined, sms.from);
        const confirmId =
          carrierConfirms || optedOut
            ? null
            : reply(tx, SMS_KEYS.optOutConfirm, 'sms:opt_out_confirm', today);
        return { action: 'opt_out', guardianId: guardian.id, replies: confirmId ? 1 : 0 };
      });
    }
    case 'opt_in': {
      if (!kind.strong && !optedOut && !guardians.some((g) => g.smsStatus === 'opted_out')) break;
      return ctx.db.transaction((tx) => {
        deps.sms.optIn(tx, guardians, 'sms_keyword', actor, sms.from);
        const id = twilioAnswered ? null : reply(tx, SMS_KEYS.optInConfirm, 'sms:opt_in_confirm', today);
        return { action: 'opt_in', guardianId: guardian.id, replies: id ? 1 : 0 };
      });
    }
    case 'help':
      // Carriers require HELP to be answered, also for a number that opted out.
      return ctx.db.transaction((tx) => {
        // Without a phone the text would end "call ."; the variant points to the school office instead.
        const params = schoolParams(tx, guardian, deps);
        const key = params.phone ? SMS_KEYS.help : SMS_KEYS.helpNoPhone;
        const id = twilioAnswered
          ? null
          : reply(tx, key, 'sms:help', sms.messageSid, { payload: { key, params } });
        return { action: 'help', guardianId: guardian.id, replies: id ? 1 : 0 };
      });
    case 'language': {
      const locale = kind.locale;
      return ctx.db.transaction((tx) => {
        if (locale) deps.sms.setLanguage(tx, guardians, locale, actor);
        if (optedOut) return { action: 'ignored_opted_out', guardianId: guardian.id, replies: 0 };
        const id = locale
          ? reply(tx, SMS_KEYS.languageSet, 'sms:language', sms.messageSid, {
              locale,
              payload: { key: SMS_KEYS.languageSet },
            })
          : reply(tx, SMS_KEYS.languageList, 'sms:language', sms.messageSid, {
              payload: { key: SMS_KEYS.languageList, params: { languages: LANGUAGE_ENDONYMS.join(', ') } },
            });
        return {
          action: locale ? 'language' : 'language_list',
          guardianId: guardian.id,
          replies: id ? 1 : 0,
        };
      });
    }
    case 'crisis':
      // The family started this contact: the crisis reply goes out even after an opt-out (sms/consent.ts).
      return ctx.db.transaction((tx) => {
        const id = reply(tx, SMS_KEYS.crisis, 'sms:crisis_reply', sms.messageSid, {
          urgent: true,
          payload: { key: SMS_KEYS.crisis },
        });
        const escalationId = raiseCrisis(ctx, tx, { trigger: kind.trigger, guardian, body: sms.body });
        return { action: 'crisis', guardianId: guardian.id, replies: id ? 1 : 0, escalationId };
      });
    case 'dialog':
      break;
  }
  const inCheckin = new CheckinRepository(ctx.db).activeSession(guardian.id, 'family') !== undefined;
  if (optedOut || !inCheckin) {
    // Outside a check-in (or after an opt-out) the text is kept for the navigator; only an active family
    // gets the once-a-day acknowledgement.
    const replies = ctx.db.transaction((tx) => {
      keepFamilyMessage(ctx, tx, guardian, sms.body);
      if (optedOut) return 0;
      return reply(tx, SMS_KEYS.messageReceived, 'sms:message_received', today, {
        payload: { key: SMS_KEYS.messageReceived },
      })
        ? 1
        : 0;
    });
    return { action: optedOut ? 'ignored_opted_out' : 'family_message', guardianId: guardian.id, replies };
  }
  await deps.continueFamilyDialog(guardian.id, sms.body);
  return { action: 'dialog', guardianId: guardian.id, replies: 0 };
}

/** Where an opt-out came from, for the consent record and the opted-out list. */
function optOutSource(sms: InboundSms): string {
  return sms.optOutType?.toUpperCase() === 'STOP' ? 'advanced_opt_out' : 'sms_keyword';
}

/**
 * A number no guardian has: one short neutral reply a day that says nothing about any student (not even
 * whether the number was ever known), and the crisis path, which never waits on a roster.
 */
function unknownNumber(
  ctx: AppContext,
  deps: InboundSmsDeps,
  sms: InboundSms,
  kind: InboundKind,
): InboundOutcome {
  const locale: Locale = kind.kind === 'crisis' ? kind.locale : ctx.config.defaultLocale;
  const base = { address: sms.from, locale, urgent: false };
  return ctx.db.transaction((tx) => {
    if (kind.kind === 'crisis') {
      const id = deps.sms.enqueueReply(tx, {
        ...base,
        urgent: true,
        purpose: 'sms:crisis_reply',
        payload: { key: SMS_KEYS.crisis },
        period: sms.messageSid,
      });
      const escalationId = raiseCrisis(ctx, tx, { trigger: kind.trigger, from: sms.from, body: sms.body });
      return { action: 'crisis', replies: id ? 1 : 0, escalationId };
    }
    // The opt-out belongs to the number: kept even though no guardian has it (yet), and the neutral reply
    // a quiet-hours hold may still keep is cancelled with it.
    const by = { actor: 'sms:unknown', at: ctx.clock() };
    const repo = new SmsRepository(tx);
    if (kind.kind === 'opt_out') {
      deps.sms.optOut(tx, [], optOutSource(sms), by.actor, undefined, sms.from);
      return { action: 'opt_out', replies: 0 };
    }
    const listed = repo.phoneOptedOut(sms.from);
    if (listed && kind.kind === 'opt_in') {
      repo.clearPhoneOptOut(sms.from, phoneRef(sms.from), 'sms_keyword', by);
      return { action: 'opt_in', replies: 0 };
    }
    if (listed) return { action: 'ignored_opted_out', replies: 0 };
    const payload: MessagePayload = { key: SMS_KEYS.unknownNumber };
    const id = deps.sms.enqueueReply(tx, {
      ...base,
      purpose: 'sms:unknown_number',
      payload,
      period: deps.sms.familyDay(),
    });
    return { action: 'unknown_number', replies: id ? 1 : 0 };
  });
}
