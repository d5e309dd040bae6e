import type { AppContext } from '../context.js';
import { errorName } from '../lib/logger.js';
import type { MessagePayload } from '../messages.js';
import { type CarrierKeyword, carrierActsOn, optOutSource, withCarrierVerdict } from '../sms/carrier.js';
import { classifyInbound, type InboundKind } from '../sms/classify.js';
import { LANGUAGE_ENDONYMS } from '../sms/common-words.js';
import { REPLY_PURPOSE } from '../sms/consent.js';
import { fold } from '../sms/normalize.js';
import { numberReply } from '../sms/number-words.js';
import { FILLER_WORDS } from '../sms/words.js';
import type { DbOrTx } from '../store/db.js';
import { CheckinRepository } from '../store/repositories/checkins.js';
import { InboundEventRepository } from '../store/repositories/inbound.js';
import { type GuardianRow, RosterRepository } from '../store/repositories/roster.js';
import { SmsRepository } from '../store/repositories/sms.js';
import type { Channel } from '../store/schema/index.js';
import { keepFamilyMessage, raiseFamilyConcern, raiseFamilyCrisis } from './family-messages.js';
import { REPLY_KEYS, schoolReply } from './family-replies.js';
import { type FamilySmsService, phoneRef } from './family-sms.js';
import { takeReferralFollowUp } from './referral-follow-up.js';

/**
 * A text a family sent, as a channel adapter hands it over.
 * Example: `{ channel: 'sms', eventId: 'SM123', from: '+13125550100', body: 'STOP' }`.
 */
export interface FamilyText {
  channel: Channel;
  /** The platform's id of the message (Twilio's MessageSid): each is handled at most once. */
  eventId: string;
  /** The number it came from, E.164. */
  from: string;
  body: string;
  /** A keyword the carrier already recognised and answered itself (see `CarrierKeyword`). */
  carrierKeyword?: CarrierKeyword;
}

/** What the family inbound service needs besides the context. */
export interface FamilyInboundDeps {
  sms: FamilySmsService;
  /**
   * Hands a text to the family's check-in conversation (wired to the check-in service). A result that shows
   * no answer recorded (`{ ok: true, applied: { answers: 0 } }`, a failed step, or nothing) means the engine
   * could not read the text: it is then kept for the navigator.
   */
  continueFamilyDialog(guardianId: string, text: string): Promise<unknown> | unknown;
  /**
   * True when the sender has the carrier's own STOP handling (Twilio's default on US long codes): the carrier
   * then confirms its eight English opt-out words itself, and a second confirmation from us would be refused
   * with 21610 anyway. False for the local simulator.
   */
  carrierHandlesOptOut?: boolean;
  /**
   * The school's phone as the HELP text shows it, '' when it has none. Default: the phone the roster
   * stored for the school, in national format.
   */
  schoolPhone?: (schoolId: string) => string;
}

/** What a text led to, for the adapter's log line and for tests (no message text). */
export interface FamilyInboundOutcome {
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
    | 'duplicate'
    | 'opt_out_question'
    | 'pause'
    | 'identity'
    | 'referral_follow_up'
    | 'none';
  guardianId?: string;
  replies: number;
  escalationId?: string;
}

const FILLER_TOKENS = FILLER_WORDS.map((w) => fold(w).split(' '));

/** A reply longer than this many words says more than an answer: it is also kept for the navigator. */
const ANSWER_WORDS = 4;

/** Whether the text goes on to the family's check-in conversation after its record commits. */
function continuesDialog(outcome: FamilyInboundOutcome): boolean {
  return outcome.action === 'dialog' && Boolean(outcome.guardianId);
}

/** True when the check-in recorded an answer from the text (the shape `CheckinService.input` returns). */

function answered(result: unknown): boolean {
  if (typeof result !== 'object' || result === null) return false;
  const r = result as { ok?: boolean; applied?: { answers?: number } };
  return r.ok === true && (r.applied?.answers ?? 0) > 0;
}

/**
 * Everything a family's text can mean, whichever channel brought it: opt-out, opt-in, HELP and language
 * keywords, crisis wording, an answer for the family's check-in, or words kept for the navigator. Every
 * reply goes through the outbox; nothing a family says is dropped. Never logs the number or the text.
 * Example: `await new FamilyInboundService(ctx, deps).receive({ channel: 'sms', eventId, from, body })`.
 */
export class FamilyInboundService {
  constructor(
    private readonly ctx: AppContext,
    private readonly deps: FamilyInboundDeps,
  ) {}

  /**
   * Handles one text, once per `eventId` (also when two copies arrive together): the record and everything
   * the text decides commit together, then an answer goes to the check-in conversation. A failure throws
   * and leaves no record, so the platform's retry is handled, not taken for a duplicate.
   */
  async receive(text: FamilyText): Promise<FamilyInboundOutcome> {
    const textId = this.ctx.ids();
    const outcome = await this.ctx.db.transaction(async (tx): Promise<FamilyInboundOutcome> => {
      const first = await new InboundEventRepository(tx).recordOnce(
        text.channel,
        text.eventId,
        this.ctx.clock(),
      );
      if (!first) return { action: 'duplicate', replies: 0 };
      const decided = await this.decide(tx, text);
      // Every text is stored, whatever it meant: the one record that proves nothing a family writes is lost.
      await new SmsRepository(tx).recordFamilyText({
        id: textId,
        channel: text.channel,
        eventId: text.eventId,
        guardianId: decided.guardianId ?? null,
        address: text.from,
        body: text.body,
        meaning: decided.action === 'dialog' ? 'answer' : decided.action,
        receivedAt: this.ctx.clock(),
      });
      // A text the conversation does not continue is handled once this commits: marked with its effects, so
      // a crash right after the commit cannot leave a handled text looking unfinished.
      if (!continuesDialog(decided))
        await new InboundEventRepository(tx).finish(text.channel, text.eventId, 'processed');
      return decided;
    });
    if (outcome.action === 'duplicate' || !continuesDialog(outcome)) return outcome;
    const guardianId = outcome.guardianId!;
    // After the text's record commits (it is kept whatever happens next), the conversation's step, the note
    // for the navigator and the mark of a handled text commit together: a text left unmarked by a crash had
    // no effect, so the recovery at start hands it to the navigator without doubling an answer.
    try {
      await this.ctx.db.transaction(async (tx) => {
        const answer = numberReply(text.body, await this.localeOf(guardianId), FILLER_TOKENS);
        const result = await this.deps.continueFamilyDialog(guardianId, answer ?? text.body);
        if (!answered(result) || words(text.body) > ANSWER_WORDS)
          await this.keepForNavigator(guardianId, textId, text.body);
        await new InboundEventRepository(tx).finish(text.channel, text.eventId, 'processed');
      });
    } catch (err) {
      await this.forget(text, textId);
      throw err;
    }
    return outcome;
  }

  /**
   * Finishes texts whose handling a crash cut short: each was stored, read as an answer, and then the process
   * died before the conversation's step committed (the platform's retry is a duplicate by then). The words go
   * to the navigator as a note, so they reach a person; the check-in asks its question again at the reminder.
   * Run at start, before the webhook is served. Returns how many texts it finished.
   */
  async recoverUnfinished(): Promise<number> {
    const unfinished = await new SmsRepository(this.ctx.db).unfinishedAnswers();
    for (const text of unfinished) {
      await this.keepForNavigator(text.guardianId!, text.id, text.body);
      await new InboundEventRepository(this.ctx.db).finish(
        text.channel as Channel,
        text.eventId,
        'processed',
      );
    }
    if (unfinished.length > 0)
      this.ctx.logger.warn(
        { texts: unfinished.length },
        'family inbound: unfinished texts kept for navigators',
      );
    return unfinished.length;
  }

  private async localeOf(guardianId: string): Promise<string | undefined> {
    return (await new RosterRepository(this.ctx.db).guardian(guardianId))?.locale;
  }

  /** A reply the check-in could not read, or one that says more than an answer: the navigator reads it. */
  private async keepForNavigator(guardianId: string, textId: string, body: string): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const guardian = await new RosterRepository(tx).guardian(guardianId);
      if (!guardian) return;
      await keepFamilyMessage(tx, this.ctx, guardian, body);
      await new SmsRepository(tx).setFamilyTextMeaning(textId, 'note');
    });
  }

  private async forget(text: FamilyText, textId: string): Promise<void> {
    try {
      await new InboundEventRepository(this.ctx.db).forget(text.channel, text.eventId);
      await new SmsRepository(this.ctx.db).forgetFamilyText(textId);
    } catch (err) {
      this.ctx.logger.error(
        { eventId: text.eventId, err: errorName(err) },
        'family inbound: could not forget a failed text',
      );
    }
  }

  /** The keyword layer first, then crisis wording, then the conversation or the navigator. */
  private async decide(tx: DbOrTx, text: FamilyText): Promise<FamilyInboundOutcome> {
    const { sms } = this.deps;
    const guardians = await sms.guardiansByPhone(text.from, tx);
    const guardian = await pickGuardian(tx, guardians);
    const kind = withCarrierVerdict(text.carrierKeyword, classifyInbound(text.body, guardian?.locale));
    if (!guardian) return this.fromUnknownNumber(tx, text, kind);

    const reply = (
      purpose: string,
      period: string,
      payload: MessagePayload,
      extra: { locale?: string; urgent?: boolean } = {},
    ) =>
      sms.enqueueReply(tx, {
        guardian,
        address: text.from,
        locale: extra.locale ?? guardian.locale,
        purpose,
        payload,
        urgent: extra.urgent ?? false,
        period,
      });
    const carrierAnswered = text.carrierKeyword !== undefined;
    // The number said STOP before (perhaps for another guardian row), or every guardian at it opted out.
    const optedOut =
      (await sms.phoneOptedOut(text.from, tx)) || guardians.every((g) => g.smsStatus === 'opted_out');
    const actor = `sms:${guardian.id}`;
    // Once-a-day replies count the family's day: a Chicago text at 17:30 and one at 18:30 share it.
    const today = sms.familyDay(guardian);
    const done = (action: FamilyInboundOutcome['action'], id: string | null) => ({
      action,
      guardianId: guardian.id,
      replies: id ? 1 : 0,
    });

    switch (kind.kind) {
      case 'opt_out': {
        const carrierConfirms =
          text.carrierKeyword === 'opt_out' ||
          (this.deps.carrierHandlesOptOut === true && carrierActsOn(text.body));
        // Opt out first, then queue the one confirmation: it is written after the opt-out, which is what lets
        // it through the opt-out list at send time. None when the number had opted out already.
        await sms.optOut(tx, guardians, optOutSource(text.carrierKeyword), actor, undefined, text.from);
        const id =
          carrierConfirms || optedOut
            ? null
            : await reply(
                REPLY_PURPOSE.optOutConfirm,
                today,
                await schoolReply(tx, guardian, REPLY_KEYS.optOutConfirm, this.deps.schoolPhone),
              );
        return done('opt_out', id);
      }
      case 'opt_in': {
        // A weak word (YES) opts in only a family that opted out; from anyone else it is an answer.
        if (!kind.strong && !optedOut && !guardians.some((g) => g.smsStatus === 'opted_out')) break;
        await sms.optIn(tx, guardians, 'sms_keyword', actor, text.from);
        const id = carrierAnswered
          ? null
          : await reply(
              REPLY_PURPOSE.optInConfirm,
              today,
              await schoolReply(tx, guardian, REPLY_KEYS.optInConfirm, this.deps.schoolPhone),
            );
        return done('opt_in', id);
      }
      case 'help': {
        // Carriers require HELP to be answered, also for a number that opted out. Without a phone the text
        // would end "call ."; the variant points to the school office instead.
        const payload = await schoolReply(tx, guardian, REPLY_KEYS.help, this.deps.schoolPhone);
        if (!payload.params?.phone) payload.key = REPLY_KEYS.helpNoPhone;
        const id = carrierAnswered ? null : await reply(REPLY_PURPOSE.help, text.eventId, payload);
        return done('help', id);
      }
      case 'language': {
        const locale = kind.locale;
        if (locale) await sms.setLanguage(tx, guardians, locale, actor);
        if (optedOut) return done('ignored_opted_out', null);
        const id = locale
          ? await reply(REPLY_PURPOSE.language, text.eventId, { key: REPLY_KEYS.languageSet }, { locale })
          : await reply(REPLY_PURPOSE.language, text.eventId, {
              key: REPLY_KEYS.languageList,
              params: { languages: LANGUAGE_ENDONYMS.join(', ') },
            });
        return done(locale ? 'language' : 'language_list', id);
      }
      case 'crisis': {
        // The family started this contact: the crisis reply goes out even after an opt-out (sms/consent.ts).
        const id = await reply(
          REPLY_PURPOSE.crisis,
          text.eventId,
          { key: REPLY_KEYS.crisis },
          { urgent: true },
        );
        const escalation = await raiseFamilyCrisis(tx, this.ctx, { guardian }, kind.trigger, text.body);
        // Revocation by any means is honoured even inside a crisis text; the urgent reply is not cancelled
        // (it is urgent), and the counselor, not another text, follows up.
        if (kind.alsoStop)
          await sms.optOut(
            tx,
            guardians,
            optOutSource(text.carrierKeyword),
            actor,
            id ?? undefined,
            text.from,
          );
        return { ...done('crisis', id), escalationId: escalation.id };
      }
      case 'identity': {
        // "Who is this?": who texts, and how to stop, also to a number that opted out (it asked).
        const payload = await schoolReply(tx, guardian, REPLY_KEYS.help, this.deps.schoolPhone);
        if (!payload.params?.phone) payload.key = REPLY_KEYS.helpNoPhone;
        await keepFamilyMessage(tx, this.ctx, guardian, text.body, { needs: false });
        return done('identity', await reply(REPLY_PURPOSE.identity, text.eventId, payload));
      }
      case 'opt_out_unclear': {
        // One short question instead of the check-in asked again; the words go to the navigator too.
        await keepFamilyMessage(tx, this.ctx, guardian, text.body, { needs: false });
        if (optedOut) return done('ignored_opted_out', null);
        return done(
          'opt_out_question',
          await reply(REPLY_PURPOSE.optOutQuestion, today, { key: REPLY_KEYS.optOutQuestion }),
        );
      }
      case 'pause': {
        if (optedOut) break;
        await sms.pause(tx, text.from, kind.weeks, actor);
        await keepFamilyMessage(tx, this.ctx, guardian, text.body, { needs: false });
        const id = await reply(REPLY_PURPOSE.pauseConfirm, text.eventId, {
          key: REPLY_KEYS.pauseConfirm,
          params: { weeks: kind.weeks },
        });
        return done('pause', id);
      }
      case 'concern': {
        // Possibly a crisis, not clearly: a counselor reviews it (not urgent), and the text still goes where
        // it would have gone.
        const escalation = await raiseFamilyConcern(tx, this.ctx, { guardian }, kind.trigger, text.body);
        const handled = await this.converse(tx, text, guardian, optedOut, reply, today);
        return { ...handled, escalationId: escalation.id };
      }
      case 'dialog':
        break;
    }
    return this.converse(tx, text, guardian, optedOut, reply, today);
  }

  /**
   * A text that is no keyword: the family's check-in reads it when one is waiting for an answer the family
   * has seen; otherwise it is kept for the navigator with a once-a-day acknowledgement.
   */
  private async converse(
    tx: DbOrTx,
    text: FamilyText,
    guardian: GuardianRow,
    optedOut: boolean,
    reply: (purpose: string, period: string, payload: MessagePayload) => Promise<string | null>,
    today: string,
  ): Promise<FamilyInboundOutcome> {
    const done = (action: FamilyInboundOutcome['action'], id: string | null) => ({
      action,
      guardianId: guardian.id,
      replies: id ? 1 : 0,
    });
    const session = await new CheckinRepository(tx).activeSession(guardian.id, 'family');
    // A question still in the outbox (quiet hours) is not the one the family is answering.
    const repo = new SmsRepository(tx);
    const held = session ? await repo.sessionTextHeld(guardian.id, session.id) : false;
    // A short answer to a referral's follow-up text ("1", "todavía no") closes that loop, unless the check-in
    // asked its question after the follow-up went: then the answer is the check-in's.
    const followUp = optedOut
      ? undefined
      : await takeReferralFollowUp(tx, this.ctx, guardian, text.body, {
          ...(session && !held ? { after: session.updatedAt } : {}),
        });
    if (followUp)
      return done(
        'referral_follow_up',
        await reply(REPLY_PURPOSE.messageReceived, today, { key: REPLY_KEYS.messageReceived }),
      );
    if (!optedOut && session && !held) return done('dialog', null);
    // Outside a check-in (or after an opt-out) the text is kept for the navigator; only an active family
    // gets the once-a-day acknowledgement. A reply while the next question is held answers the one the
    // family last saw ("1" to "Would you like a call?"): the navigator gets that question beside it.
    const seen = held && session ? await repo.lastSessionTextSent(guardian.id, session.id) : undefined;
    await keepFamilyMessage(tx, this.ctx, guardian, text.body, seen ? { context: `reply to: ${seen}` } : {});
    if (optedOut) return done('ignored_opted_out', null);
    return done(
      'family_message',
      await reply(REPLY_PURPOSE.messageReceived, today, { key: REPLY_KEYS.messageReceived }),
    );
  }

  /**
   * A number no guardian has: one short neutral reply a day that says nothing about any student (not even
   * whether the number was ever known), and the crisis path, which never waits on a roster.
   */
  private async fromUnknownNumber(
    tx: DbOrTx,
    text: FamilyText,
    kind: InboundKind,
  ): Promise<FamilyInboundOutcome> {
    const { sms } = this.deps;
    const base = { address: text.from, locale: this.ctx.config.defaultLocale as string, urgent: false };
    if (kind.kind === 'concern')
      await raiseFamilyConcern(tx, this.ctx, { address: text.from }, kind.trigger, text.body);
    if (kind.kind === 'crisis') {
      const id = await sms.enqueueReply(tx, {
        ...base,
        locale: kind.locale,
        urgent: true,
        purpose: REPLY_PURPOSE.crisis,
        payload: { key: REPLY_KEYS.crisis },
        period: text.eventId,
      });
      const escalation = await raiseFamilyCrisis(
        tx,
        this.ctx,
        { address: text.from },
        kind.trigger,
        text.body,
      );
      return { action: 'crisis', replies: id ? 1 : 0, escalationId: escalation.id };
    }
    // The opt-out belongs to the number: kept even though no guardian has it (yet), and the neutral reply
    // a quiet-hours hold may still keep is cancelled with it.
    if (kind.kind === 'opt_out') {
      await sms.optOut(tx, [], optOutSource(text.carrierKeyword), 'sms:unknown', undefined, text.from);
      return { action: 'opt_out', replies: 0 };
    }
    const list = new SmsRepository(tx);
    const listed = await list.phoneOptedOut(text.from);
    if (listed && kind.kind === 'opt_in') {
      await list.clearPhoneOptOut(text.from, phoneRef(text.from), 'sms_keyword', {
        actor: 'sms:unknown',
        at: this.ctx.clock(),
      });
      return { action: 'opt_in', replies: 0 };
    }
    if (listed) return { action: 'ignored_opted_out', replies: 0 };
    const id = await sms.enqueueReply(tx, {
      ...base,
      purpose: REPLY_PURPOSE.unknownNumber,
      payload: { key: REPLY_KEYS.unknownNumber },
      period: sms.familyDay(),
    });
    return { action: 'unknown_number', replies: id ? 1 : 0 };
  }
}

/**
 * Two guardians may share one phone. Keyword changes (opt-out, opt-in, language) concern the phone, so
 * they apply to every guardian at it; a conversation concerns one guardian: the one with an active family
 * session (the newest), else the first by id.
 */
async function pickGuardian(tx: DbOrTx, guardians: GuardianRow[]): Promise<GuardianRow | undefined> {
  const checkins = new CheckinRepository(tx);
  let best: { g: GuardianRow; at: number } | undefined;
  for (const g of guardians) {
    const s = await checkins.activeSession(g.id, 'family');
    if (s && (!best || s.updatedAt > best.at)) best = { g, at: s.updatedAt };
  }
  return best?.g ?? guardians[0];
}

/** Words in a text, as a family would count them (Chinese: characters, roughly two to a word). */
function words(body: string): number {
  const folded = fold(body);
  const spaced = folded.split(' ').filter(Boolean).length;
  const han = [...folded].filter((c) => /\p{Script=Han}/u.test(c)).length;
  return Math.max(spaced, Math.ceil(han / 2));
}
