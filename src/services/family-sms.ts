import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AppContext } from '../context.js';
import type { OutboundMessage } from '../delivery/transport.js';
import { smsSegments } from '../dialogs/sms.js';
import type { Texts } from '../i18n/index.js';
import type { MessagePayload } from '../messages.js';
import {
  type ConsentState,
  passesOptOutList,
  REPLY_PURPOSES,
  type TextBlock,
  textBlock,
} from '../sms/consent.js';
import { CONSENT_NOTICE_KEY, renderSms } from '../sms/render.js';
import { advancesStatus, type ProviderStatus, UNDELIVERABLE_CODES } from '../sms/status.js';
import type { DbOrTx } from '../store/db.js';
import { type Actor, AuditRepository } from '../store/repositories/audit.js';
import { ConsentRepository } from '../store/repositories/consents.js';
import { OutboxRepository, outboxKey } from '../store/repositories/outbox.js';
import { type GuardianRow, RosterRepository } from '../store/repositories/roster.js';
import { CONSENT_NOTICE_PURPOSE, type FamilyMessageRow, SmsRepository } from '../store/repositories/sms.js';

// The relay's quiet-hours tests still read the reply purposes from here.

/** Undeliverable results in a row (30003/30005/30006) after which a family is marked unreachable. */
export const UNREACHABLE_AFTER = 3;

const WEEK = 7 * 24 * 60 * 60 * 1000;

/**
 * What `prepareOutbound` decides: send `body` (`sentSince`: the row's creation, the earliest a previous
 * attempt can have left, for the look-up after a crash), refuse, or wait until the consent notice queued
 * ahead of this text has gone (a transient result for the relay).
 */
export type PreparedSms =
  | { ok: true; body: string; sentSince?: number; alreadyRecorded?: (sid: string) => Promise<boolean> }
  | { ok: false; reason: TextBlock }
  | { ok: false; reason: 'sms:consent_notice_first'; retryAfterMs: number };

/** A short, stable stand-in for a phone number in keys and records that must not hold the number. */
export function phoneRef(e164: string): string {
  return `phone:${createHash('sha256').update(e164).digest('hex').slice(0, 16)}`;
}

/**
 * The calendar day of `ms` in `zone` (ISO date), the period of once-a-day replies: a family's day, not
 * UTC's, which in Chicago ends at 18:00. Null for a zone luxon does not know.
 */
export function localDay(ms: number, zone: string): string | null {
  return DateTime.fromMillis(ms, { zone }).toISODate();
}

/** One reply to enqueue for an inbound text. */
export interface SmsReply {
  /** Guardian, or undefined for an unknown number (then `address` is the only handle). */
  guardian?: GuardianRow;
  address: string;
  locale: string;
  purpose: string;
  payload: MessagePayload;
  urgent: boolean;
  /** Makes the idempotency key: 'once a day', 'once per inbound message'. */
  period: string;
}

/**
 * Families' SMS state through the repositories: who a phone belongs to, consent and opt-out/opt-in,
 * language, invalid and unreachable numbers, delivery reports, and replies written to the outbox.
 */
export class FamilySmsService {
  constructor(
    private readonly ctx: AppContext,
    private readonly texts: Texts,
  ) {}

  private actor(actor: string): Actor {
    return { actor, at: this.ctx.clock() };
  }

  /** Guardians reached at a phone, by id. */
  guardiansByPhone(e164: string, db: DbOrTx = this.ctx.db): Promise<GuardianRow[]> {
    return new RosterRepository(db).guardiansByPhone(e164);
  }

  consentOf(guardianId: string, db: DbOrTx = this.ctx.db): Promise<ConsentState> {
    return new ConsentRepository(db).current(guardianId);
  }

  /**
   * Today in the family's time zone (the guardian's; `config.defaultTimezone` for an unknown number or a
   * zone luxon does not know), the period of once-a-day replies.
   */
  familyDay(guardian?: Pick<GuardianRow, 'timezone'>): string {
    const now = this.ctx.clock();
    const own = guardian ? localDay(now, guardian.timezone) : null;
    return own ?? localDay(now, this.ctx.config.defaultTimezone) ?? localDay(now, 'UTC')!;
  }

  /** Why a message to a guardian may not go out now, or null. Also consults the opted-out phone list. */
  async blockFor(
    guardianId: string,
    intent: { urgent: boolean; replyToInbound: boolean },
    db: DbOrTx = this.ctx.db,
  ): Promise<TextBlock | null> {
    const guardian = await new RosterRepository(db).guardian(guardianId);
    if (!guardian) return null;
    const sms = new SmsRepository(db);
    const phoneOptedOut = await sms.phoneOptedOut(guardian.phone);
    const consent = await this.consentOf(guardianId, db);
    const block = textBlock({ smsStatus: guardian.smsStatus, phoneOptedOut }, consent, intent);
    if (block || intent.urgent || intent.replyToInbound) return block;
    // A pause is read as a date, so it ends by itself: no job has to remember to lift it.
    return (await sms.pauseAt(guardian.phone, this.ctx.clock())) ? 'sms:paused' : null;
  }

  /**
   * Pauses routine texts to a number for `weeks` (replacing an earlier pause), audit-logged under a hash of
   * the number. Returns the date it ends (ms).
   */
  async pause(tx: DbOrTx, phone: string, weeks: number, actor: string): Promise<number> {
    const by = this.actor(actor);
    const until = by.at + weeks * WEEK;
    const sms = new SmsRepository(tx);
    const before = await sms.pauseAt(phone, by.at);
    await sms.pausePhone(phone, until, weeks, by.at);
    await new AuditRepository(tx).append({
      entity: 'sms_pause',
      entityId: phoneRef(phone),
      action: 'pause',
      before: before ? { until: before.until } : null,
      after: { until, weeks },
      ...by,
    });
    return until;
  }

  /** When the number's pause ends, if it is paused now. */
  async pausedUntil(phone: string | null, db: DbOrTx = this.ctx.db): Promise<number | undefined> {
    return (await new SmsRepository(db).pauseAt(phone, this.ctx.clock()))?.until;
  }

  /**
   * The transport's last step before calling Twilio: the consent rule (a family that opted out after a text
   * was queued is not texted; nor is a number on the opted-out list, whoever it belongs to now, unless
   * `passesOptOutList`), the consent notice ahead of a guardian's first routine text, then the final body
   * (rendered with numbered choices when the row has none) with its encoding and segments, stored on the
   * outbox row. One transaction, committed before the transport calls Twilio.
   */
  prepareOutbound(message: OutboundMessage): Promise<PreparedSms> {
    return this.ctx.db.transaction(async (tx): Promise<PreparedSms> => {
      const row = await new OutboxRepository(tx).get(message.id);
      const sms = new SmsRepository(tx);
      const replyToInbound = row !== undefined && REPLY_PURPOSES.has(row.purpose);
      const isGuardian = row?.recipientKind !== 'staff';
      const optedOutAt = isGuardian ? await sms.phoneOptedOutAt(message.address) : undefined;
      if (optedOutAt !== undefined && !(row && passesOptOutList(row, optedOutAt)))
        return { ok: false, reason: 'sms:opted_out' };
      const block = isGuardian
        ? await this.blockFor(message.recipientId, { urgent: message.urgent, replyToInbound }, tx)
        : null;
      if (block) return { ok: false, reason: block };
      if (isGuardian && !replyToInbound && row && row.purpose !== CONSENT_NOTICE_PURPOSE) {
        // Normally the check-in service queued the notice with the first text; this covers any caller that
        // did not: the notice is queued ahead of the text, which waits one retry.
        const noticeId = await this.enqueueConsentNotice(tx, message.recipientId, {
          before: row.createdAt,
          triggerId: row.id,
        });
        if (noticeId) return { ok: false, reason: 'sms:consent_notice_first', retryAfterMs: 0 };
      }
      const body = message.body ?? renderSms(this.texts, message.payload, message.locale).body;
      const cost = smsSegments(body);
      await sms.recordRendered(message.id, body, cost.encoding, cost.segments);
      return {
        ok: true,
        body,
        ...(row ? { sentSince: row.createdAt } : {}),
        alreadyRecorded: (sid) => new SmsRepository(this.ctx.db).hasProviderId(sid),
      };
    });
  }

  /**
   * Queues the consent notice (who texts, how often, HELP, STOP) as its own text, ahead of a guardian's
   * first routine text: call it in the transaction that queues that text. Does nothing (null) when the
   * guardian was texted before or a notice is already queued or sent. The row sorts before texts created
   * at or after `before` (default now), and is held by quiet hours like any routine text.
   * Example: `await sms.enqueueConsentNotice(tx, 'g-1')` inside `CheckinService.startFamily`'s transaction.
   */
  async enqueueConsentNotice(
    tx: DbOrTx,
    guardianId: string,
    options: { before?: number; triggerId?: string } = {},
  ): Promise<string | null> {
    const guardian = await new RosterRepository(tx).guardian(guardianId);
    if (!guardian?.phone) return null;
    const sms = new SmsRepository(tx);
    if ((await sms.hasConsentNotice(guardianId)) || (await sms.everTexted(guardianId, options.triggerId)))
      return null;
    const now = this.ctx.clock();
    // One millisecond earlier than the text it precedes: the relay sends a number's rows in
    // (notBefore, createdAt) order, also after quiet hours moved them to the same opening.
    const at = Math.min(options.before ?? now, now) - 1;
    const payload: MessagePayload = {
      key: CONSENT_NOTICE_KEY,
      params: { school: await this.schoolNameOf(guardianId, tx) },
    };
    const rendered = renderSms(this.texts, payload, guardian.locale);
    const id = await OutboxRepository.enqueue(tx, {
      id: this.ctx.ids(),
      idempotencyKey: outboxKey({
        purpose: CONSENT_NOTICE_PURPOSE,
        recipient: guardianId,
        period: options.triggerId ?? 'first',
      }),
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: guardianId,
      address: guardian.phone,
      purpose: CONSENT_NOTICE_PURPOSE,
      locale: rendered.locale,
      payload,
      body: rendered.body,
      urgent: false,
      notBefore: at,
      createdAt: at,
    });
    if (id) await sms.recordRendered(id, rendered.body, rendered.encoding, rendered.segments);
    return id;
  }

  /**
   * Opts guardians out: sms_status 'opted_out', a 'revoked' consent record, and `phone` put on the
   * opted-out list, so that a guardian added later with the same number is not texted either. Pending
   * non-urgent texts are cancelled (except `keepOutboxId`, the confirmation): the guardians' and every one
   * to `phone`, also a reply to an unknown number held by quiet hours. `guardians` may be empty (a number no
   * guardian has). Returns the guardian ids that changed.
   */
  async optOut(
    tx: DbOrTx,
    guardians: GuardianRow[],
    source: string,
    actor: string,
    keepOutboxId?: string,
    phone?: string,
  ): Promise<string[]> {
    const by = this.actor(actor);
    const sms = new SmsRepository(tx);
    const consents = new ConsentRepository(tx);
    const changed: string[] = [];
    if (phone) {
      await sms.optOutPhone(phone, phoneRef(phone), source, by);
      await sms.cancelPendingTo(phone, by.at, keepOutboxId);
    }
    for (const g of guardians) {
      const statusChanged = await sms.setSmsStatus(g.id, 'opted_out', by, source);
      if ((await consents.current(g.id)) !== 'revoked')
        await consents.record({ guardianId: g.id, status: 'revoked', source, locale: g.locale }, by);
      await sms.cancelPending(g.id, by.at, keepOutboxId);
      if (statusChanged) changed.push(g.id);
    }
    return changed;
  }

  /**
   * Opts guardians back in: 'active' and a 'granted' consent record, and `phone` off the opted-out list.
   * Returns the guardian ids that changed.
   */
  async optIn(
    tx: DbOrTx,
    guardians: GuardianRow[],
    source: string,
    actor: string,
    phone?: string,
  ): Promise<string[]> {
    const by = this.actor(actor);
    const sms = new SmsRepository(tx);
    const consents = new ConsentRepository(tx);
    const changed: string[] = [];
    if (phone) {
      await sms.clearPhoneOptOut(phone, phoneRef(phone), source, by);
      // START after PAUSE means "texts again now".
      await sms.clearPause(phone);
    }
    for (const g of guardians) {
      const statusChanged = await sms.setSmsStatus(g.id, 'active', by, source);
      const consentChanged = (await consents.current(g.id)) !== 'granted';
      if (consentChanged)
        await consents.record({ guardianId: g.id, status: 'granted', source, locale: g.locale }, by);
      if (statusChanged || consentChanged) changed.push(g.id);
    }
    return changed;
  }

  /** True when the number is on the opted-out list. */
  phoneOptedOut(phone: string, db: DbOrTx = this.ctx.db): Promise<boolean> {
    return new SmsRepository(db).phoneOptedOut(phone);
  }

  /**
   * What a guardian texted outside any check-in at or after `since`, oldest first, for the navigator.
   * Example: `await sms.familyMessagesSince('g-1', clock() - 7 * 86_400_000)`.
   */
  familyMessagesSince(guardianId: string, since: number): Promise<FamilyMessageRow[]> {
    return new SmsRepository(this.ctx.db).familyMessagesSince(guardianId, since);
  }

  /** Switches guardians' language. */
  async setLanguage(tx: DbOrTx, guardians: GuardianRow[], locale: string, actor: string): Promise<void> {
    const by = this.actor(actor);
    const sms = new SmsRepository(tx);
    for (const g of guardians) await sms.setLocale(g.id, locale, by);
  }

  /**
   * Writes a reply to the outbox, rendered now so its encoding and segments are known. Returns the outbox
   * id, or null when a reply with the same key exists (the once-a-day and once-per-message limits).
   */
  async enqueueReply(tx: DbOrTx, reply: SmsReply): Promise<string | null> {
    const now = this.ctx.clock();
    const recipient = reply.guardian?.id ?? phoneRef(reply.address);
    const rendered = renderSms(this.texts, reply.payload, reply.locale);
    const id = await OutboxRepository.enqueue(tx, {
      id: this.ctx.ids(),
      idempotencyKey: outboxKey({ purpose: reply.purpose, recipient, period: reply.period }),
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: recipient,
      address: reply.address,
      purpose: reply.purpose,
      locale: rendered.locale,
      payload: reply.payload,
      body: rendered.body,
      urgent: reply.urgent,
      createdAt: now,
    });
    if (id)
      await new SmsRepository(tx).recordRendered(id, rendered.body, rendered.encoding, rendered.segments);
    return id;
  }

  /**
   * What a permanent send error says about the number the row was sent to (`address`, the outbox row's,
   * which may no longer be the guardian's phone): 21610 (the number sent STOP to the carrier or Twilio)
   * puts it on the opted-out list and opts out the guardians who have it now, also when the row was a
   * reply to a number no guardian has (`recipientId` then is not a guardian id); 21211 (not a valid number)
   * and 21614 (not a mobile number) mark the guardian invalid if that is still their number.
   * Example: `onPermanentError: (m, code) => sms.applySendError(m.recipientId, code, m.address)`.
   */
  async applySendError(recipientId: string, code: string | undefined, address: string): Promise<void> {
    if (!code || !address) return;
    await this.ctx.db.transaction(async (tx) => {
      const roster = new RosterRepository(tx);
      if (code === '21610') {
        const guardians = await roster.guardiansByPhone(address);
        await this.optOut(tx, guardians, 'carrier_block', 'twilio', undefined, address);
        return;
      }
      const guardian = await roster.guardian(recipientId);
      if (guardian?.phone !== address) return;
      if (code === '21211' || code === '21614')
        await new SmsRepository(tx).setSmsStatus(
          guardian.id,
          'invalid',
          this.actor('twilio'),
          `twilio_${code}`,
        );
    });
  }

  /**
   * Applies a delivery report monotonically. After UNREACHABLE_AFTER undeliverable results in a row, an
   * active family becomes 'unreachable' (shown to the navigator and in the digest).
   */
  applyDeliveryReport(
    providerMessageId: string,
    status: ProviderStatus,
    errorCode: string | undefined,
  ): Promise<{ applied: boolean; markedUnreachable: boolean }> {
    return this.ctx.db.transaction(async (tx) => {
      const sms = new SmsRepository(tx);
      const target = await sms.reportTarget(providerMessageId);
      if (!target || !advancesStatus(target.providerStatus, status))
        return { applied: false, markedUnreachable: false };
      const applied = await sms.applyReport(target, status, errorCode, this.ctx.clock());
      let markedUnreachable = false;
      if (
        applied &&
        target.recipientKind === 'guardian' &&
        (status === 'undelivered' || status === 'failed')
      ) {
        const recent = await sms.recentResults(target.recipientId, UNREACHABLE_AFTER);
        const streak =
          recent.length === UNREACHABLE_AFTER &&
          recent.every(
            (r) =>
              (r.providerStatus === 'undelivered' || r.providerStatus === 'failed') &&
              UNDELIVERABLE_CODES.has((r.lastError ?? '').replace(/^provider:/, '')),
          );
        const guardian = await new RosterRepository(tx).guardian(target.recipientId);
        if (streak && guardian?.smsStatus === 'active')
          markedUnreachable = await sms.setSmsStatus(
            guardian.id,
            'unreachable',
            this.actor('twilio'),
            `undeliverable_x${UNREACHABLE_AFTER}`,
          );
      }
      return { applied, markedUnreachable };
    });
  }

  /** The name of the school of a guardian's first child ('' when none), for texts that name the school. */
  async schoolNameOf(guardianId: string, db: DbOrTx = this.ctx.db): Promise<string> {
    const roster = new RosterRepository(db);
    const student = (await roster.studentsOfGuardian(guardianId))[0];
    return (student && (await roster.school(student.schoolId))?.name) || '';
  }
}
