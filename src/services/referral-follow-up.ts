import type { AppContext } from '../context.js';
import { type Lexicon, lexiconWords, normalizeText, parseReply } from '../dialogs/parse.js';
import { createTexts, loadLocaleResources } from '../i18n/index.js';
import { lookupText } from '../scripts/index.js';
import { fold } from '../sms/normalize.js';
import { numberReply } from '../sms/number-words.js';
import { FILLER_WORDS } from '../sms/words.js';
import type { DbOrTx } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.js';
import type { ServiceRow } from '../store/repositories/catalog.js';
import type { NeedRow } from '../store/repositories/needs.js';
import { OutboxRepository, outboxKey } from '../store/repositories/outbox.js';
import { ReferralRepository, type ReferralRow } from '../store/repositories/referrals.js';
import { type GuardianRow, RosterRepository, type StudentRow } from '../store/repositories/roster.js';
import type { FollowUpAnswer } from '../store/schema/index.js';
import { FamilySmsService } from './family-sms.js';
import { canMove, moveReferral, referralRef } from './referral-lifecycle.js';
import { defaultStaffRoute } from './staff-routing.js';

// The family closes the loop: when a referral is marked connected, the family gets one short text in its
// language ("Did you get help with food? 1 Yes 2 Not yet"); its answer moves the referral on, or tells the
// navigator that help has not arrived.

/** What queues the follow-up text: the family SMS service (consent, opt-out, pause, rendering). */
export type FollowUpSender = FamilySmsService;

/** The outbox purpose of the follow-up text, and of the navigator's notice after "not yet". */
export const FOLLOW_UP_PURPOSE = 'referral:follow_up';
export const NOT_YET_PURPOSE = 'referral:not_yet';

/** How long a follow-up text waits for its answer; a later "1" is read as whatever it would be otherwise. */
export const FOLLOW_UP_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;

/** A reply longer than this many words says more than an answer: it goes on as any other text. */
const ANSWER_WORDS = 4;

/**
 * Areas with their own wording of the question; every other area is asked about as "the help the school
 * connected you with" (mental health and safety too: a text can be read on a shared phone's lock screen).
 */
const AREA_TEXTS: Partial<Record<NeedRow['area'], string>> = {
  food_security: 'food_security',
  housing_stability: 'housing_stability',
  technology_access: 'technology_access',
  physical_health: 'physical_health',
  academic: 'academic',
  transportation: 'transportation',
};

/** The text key of the follow-up question for a need area. Example: 'family.referral_followup.food_security'. */
export function followUpKey(area: NeedRow['area']): string {
  return `family.referral_followup.${AREA_TEXTS[area] ?? 'other'}`;
}

const YES_KEY = 'family.referral_followup_words.yes';
const NOT_YET_KEY = 'family.referral_followup_words.not_yet';

let lexicon: Lexicon | undefined;

/** The answer words of every locale, read from the locale files once. */
function answerLexicon(): Lexicon {
  if (lexicon) return lexicon;
  const resources = loadLocaleResources();
  lexicon = Object.fromEntries(
    Object.keys(resources).map((locale) => [
      locale,
      Object.fromEntries(
        [YES_KEY, NOT_YET_KEY].map((key) => [
          key,
          (lookupText(resources, locale, key) ?? '')
            .split(/[,;、，]/)
            .map((w) => w.trim())
            .filter(Boolean),
        ]),
      ),
    ]),
  );
  return lexicon;
}

const FILLER_TOKENS = FILLER_WORDS.map((w) => fold(w).split(' '));

/**
 * What a family's reply to the follow-up says: 'yes' (1, or yes in their language or English), 'not_yet'
 * (2, not yet, no), or undefined for anything else, a longer message included. Number words count as
 * digits ("uno", "hai"). Example: `readFollowUpAnswer('todavía no', 'es')` → 'not_yet'.
 */
export function readFollowUpAnswer(body: string, locale: string): FollowUpAnswer | undefined {
  const text = normalizeText(body);
  if (text === '' || text.split(' ').length > ANSWER_WORDS) return undefined;
  const digits = numberReply(body, locale, FILLER_TOKENS) ?? body;
  const words = answerLexicon();
  const parsed = parseReply(
    digits,
    [
      { id: 'yes', words: lexiconWords(words, locale, YES_KEY) },
      { id: 'not_yet', words: lexiconWords(words, locale, NOT_YET_KEY) },
    ],
    { multiple: false },
  );
  return parsed.kind === 'options' && parsed.ids.length === 1 ? (parsed.ids[0] as FollowUpAnswer) : undefined;
}

/**
 * Queues the follow-up text to each guardian of the student who may get a routine text now (the consent
 * rule, the opt-out list and a pause, as `FamilySmsService.blockFor` reads them), one per phone, in the
 * guardian's language; the consent notice goes first to a guardian never texted before. Once per referral
 * (the outbox key). Marks the referral as waiting for an answer and audit-logs who was texted. Returns how
 * many texts were queued.
 */
export async function sendReferralFollowUp(
  tx: DbOrTx,
  ctx: AppContext,
  sender: FollowUpSender | undefined,
  about: { referral: ReferralRow; area: NeedRow['area']; student: StudentRow; service: ServiceRow },
): Promise<number> {
  const sms =
    sender ??
    new FamilySmsService(ctx, createTexts({ defaultLocale: ctx.config.defaultLocale, logger: ctx.logger }));
  const guardians = await new RosterRepository(tx).guardiansOf(about.student.id);
  const phones = new Set<string>();
  const texted: string[] = [];
  const now = ctx.clock();
  for (const g of guardians) {
    if (!g.phone || phones.has(g.phone)) continue;
    if (await sms.blockFor(g.id, { urgent: false, replyToInbound: false }, tx)) continue;
    phones.add(g.phone);
    await sms.enqueueConsentNotice(tx, g.id, { before: now });
    const id = await sms.enqueueReply(tx, {
      guardian: g,
      address: g.phone,
      locale: g.locale,
      purpose: FOLLOW_UP_PURPOSE,
      payload: { key: followUpKey(about.area) },
      urgent: false,
      period: about.referral.id,
    });
    if (id) texted.push(g.id);
  }
  if (texted.length === 0) return 0;
  await new ReferralRepository(tx).update(about.referral.id, { followUpAt: now, updatedAt: now });
  await new AuditRepository(tx).append({
    at: now,
    actor: 'system',
    entity: 'referral',
    entityId: about.referral.id,
    action: 'follow_up_sent',
    before: null,
    after: { guardians: texted },
  });
  return texted.length;
}

/** What a family's text did to a referral waiting for its answer. */
export interface FollowUpTaken {
  referralId: string;
  answer: FollowUpAnswer;
  /** True when the navigator was told (after "not yet"). */
  navigatorTold: boolean;
}

/**
 * Reads a family's text as the answer to a follow-up it is waiting for, in the caller's transaction. Only
 * the newest follow-up of the guardian's children, sent within `FOLLOW_UP_WINDOW_MS` and after `after` (when
 * the family's check-in asked its last question: an answer then is the check-in's), is answered. 'yes' moves
 * the referral to receiving; 'not yet' leaves it connected and tells the student's navigator in their chat.
 * Returns undefined when no follow-up waits or the text is not an answer: the text then goes on as any other.
 */
export async function takeReferralFollowUp(
  tx: DbOrTx,
  ctx: AppContext,
  guardian: GuardianRow,
  body: string,
  options: { after?: number } = {},
): Promise<FollowUpTaken | undefined> {
  const now = ctx.clock();
  const since = Math.max(now - FOLLOW_UP_WINDOW_MS, options.after ?? 0);
  const waiting = await new ReferralRepository(tx).awaitingFollowUp(guardian.id, since);
  if (!waiting) return undefined;
  const answer = readFollowUpAnswer(body, guardian.locale);
  if (!answer) return undefined;
  const actor = `sms:${guardian.id}`;
  const repo = new ReferralRepository(tx);
  const { area: _area, studentId, ...referral } = waiting;
  await repo.update(referral.id, {
    followUpAnswer: answer,
    followUpAnsweredAt: now,
    followUpGuardianId: guardian.id,
    updatedAt: now,
  });
  await new AuditRepository(tx).append({
    at: now,
    actor,
    entity: 'referral',
    entityId: referral.id,
    action: 'follow_up_answer',
    before: null,
    after: { answer, guardianId: guardian.id },
  });
  if (answer === 'yes') {
    if (canMove(referral.status, 'receiving'))
      await moveReferral(tx, referral, 'receiving', { actor, who: `guardian:${guardian.id}`, at: now });
    return { referralId: referral.id, answer, navigatorTold: false };
  }
  const navigatorTold = await tellNavigatorNotYet(tx, ctx, referral, studentId);
  return { referralId: referral.id, answer, navigatorTold };
}

/** Queues the "not yet" notice to the student's navigator, by the staff routing rule. */
async function tellNavigatorNotYet(
  tx: DbOrTx,
  ctx: AppContext,
  referral: ReferralRow,
  studentId: string,
): Promise<boolean> {
  const roster = new RosterRepository(tx);
  const navigatorId = await roster.navigatorOf(studentId);
  const navigator = navigatorId ? await roster.staffById(navigatorId) : undefined;
  const student = await roster.student(studentId);
  const to = navigator?.active ? defaultStaffRoute(ctx.config)(navigator) : null;
  if (!navigator || !student || !to) {
    ctx.logger.warn(
      { referralId: referral.id },
      'referral: the family has not got help yet, and no navigator can be told in a chat',
    );
    return false;
  }
  const service = await new ReferralRepository(tx).serviceName(referral.serviceId);
  const id = await OutboxRepository.enqueue(tx, {
    id: ctx.ids(),
    idempotencyKey: outboxKey({
      purpose: NOT_YET_PURPOSE,
      recipient: `staff:${navigator.id}`,
      period: referral.id,
    }),
    channel: to.channel,
    recipientKind: 'staff',
    recipientId: navigator.id,
    address: to.address,
    purpose: NOT_YET_PURPOSE,
    locale: navigator.locale,
    payload: {
      key: 'staff.referralFollowUpNotYet',
      params: {
        // The navigator's own student: first name and grade, as their caseload shows them.
        student: student.firstName,
        grade: student.grade,
        service: service ?? referral.serviceId,
        ref: referralRef(referral.id),
      },
    },
    origin: { studentId },
    urgent: false,
    createdAt: ctx.clock(),
  });
  return id !== null;
}
