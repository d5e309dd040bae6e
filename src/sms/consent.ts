import type { SmsStatus } from '../store/schema/index.js';

/** The consent in force for a guardian: the newest record's status, or 'none'. */
export type ConsentState = 'granted' | 'revoked' | 'none';

/** Why a text may not go out; `null` when it may. */
export type TextBlock =
  | 'sms:invalid_number'
  | 'sms:opted_out'
  | 'sms:no_consent'
  | 'sms:unreachable'
  /** The family paused routine check-ins ("PAUSA 3"); replies and urgent texts still go. */
  | 'sms:paused';

/** What kind of text is being considered. */
export interface TextIntent {
  /** A crisis reply: bypasses quiet hours and the consent requirement, never an opt-out (see below). */
  urgent: boolean;
  /** A direct answer to a text the family just sent (HELP, STOP/START confirmation, crisis reply). */
  replyToInbound?: boolean;
}

/**
 * The consent rule, in one place:
 * - an invalid number is never texted (it cannot receive);
 * - a number on the opted-out list (`phoneOptedOut`: it said STOP, whichever guardian row it belonged to,
 *   or none) is treated like an opted-out guardian;
 * - a routine text needs a current 'granted' consent and sms_status 'active';
 * - an urgent text (crisis reply) may go to a number with unknown or granted consent, even 'unreachable',
 *   but not to one that opted out...
 * - ...unless it answers a text the family itself just sent: a family that opted out and then writes
 *   "my son wants to hurt himself" has started the contact, and the emergency numbers reach them. The same
 *   holds for HELP (carriers require an answer) and the single STOP confirmation. The inbound pipeline
 *   decides which replies exist at all; it never sends an opted-out family anything else.
 * Example: `textBlock({ smsStatus: 'opted_out' }, 'revoked', { urgent: true })` → 'sms:opted_out'.
 */
export function textBlock(
  guardian: { smsStatus: SmsStatus; phoneOptedOut?: boolean },
  consent: ConsentState,
  intent: TextIntent,
): TextBlock | null {
  if (guardian.smsStatus === 'invalid') return 'sms:invalid_number';
  if (intent.replyToInbound) return null;
  if (guardian.phoneOptedOut || guardian.smsStatus === 'opted_out' || consent === 'revoked')
    return 'sms:opted_out';
  if (intent.urgent) return null;
  if (guardian.smsStatus === 'unreachable') return 'sms:unreachable';
  if (consent !== 'granted') return 'sms:no_consent';
  return null;
}

/** True when a text may be sent (see `textBlock` for the rule). */
export function canText(
  guardian: { smsStatus: SmsStatus; phoneOptedOut?: boolean },
  consent: ConsentState,
  urgent: boolean,
  replyToInbound = false,
): boolean {
  return textBlock(guardian, consent, { urgent, replyToInbound }) === null;
}

// Replies answer a text the family just sent. Three rules treat them apart from routine texts, and each reads
// the purposes from here: the consent rule lets them past an opt-out (carriers require HELP to be answered,
// and a family that writes after STOP started the contact), quiet hours let them out at once (a STOP
// confirmation held overnight could leave after a later START's), and no consent notice goes ahead of them.

/** The outbox purpose of each reply to a family's text. Example: `REPLY_PURPOSE.help` → 'sms:help'. */
export const REPLY_PURPOSE = {
  help: 'sms:help',
  optOutConfirm: 'sms:opt_out_confirm',
  optInConfirm: 'sms:opt_in_confirm',
  crisis: 'sms:crisis_reply',
  language: 'sms:language',
  unknownNumber: 'sms:unknown_number',
  messageReceived: 'sms:message_received',
  optOutQuestion: 'sms:opt_out_question',
  pauseConfirm: 'sms:pause_confirm',
  identity: 'sms:identity',
} as const;

/** Every reply purpose, for `REPLY_PURPOSES.has(row.purpose)`. */
export const REPLY_PURPOSES: ReadonlySet<string> = new Set<string>(Object.values(REPLY_PURPOSE));

/**
 * True when a text may still go to a number on the opted-out list: only a reply queued at or after the
 * opt-out (HELP asked after STOP, the one confirmation), or the urgent crisis reply. A reply queued before
 * STOP and held by quiet hours, or a routine text, is not sent.
 * Example: `passesOptOutList({ purpose: 'sms:help', urgent: false, createdAt: 10 }, 5)` → true.
 */
export function passesOptOutList(
  row: { purpose: string; urgent: boolean; createdAt: number },
  optedOutAt: number,
): boolean {
  return REPLY_PURPOSES.has(row.purpose) && (row.urgent || row.createdAt >= optedOutAt);
}
