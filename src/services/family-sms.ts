import { createHash } from 'node:crypto';
import type { OutboundMessage } from '../bots/transport.js';
import type { AppContext } from '../context.js';
import { smsSegments } from '../dialogs/sms.js';
import type { Texts } from '../i18n/index.js';
import type { MessagePayload } from '../messages.js';
import { type ConsentState, type TextBlock, textBlock } from '../sms/consent.js';
import { CONSENT_NOTICE_KEY, renderSms } from '../sms/render.js';
import { advancesStatus, type ProviderStatus, UNDELIVERABLE_CODES } from '../sms/status.js';
import type { DbOrTx } from '../store/db.js';
import type { Actor } from '../store/repositories/audit.js';
import { ConsentRepository } from '../store/repositories/consents.js';
import { OutboxRepository } from '../store/repositories/outbox.js';
import { type GuardianRow, RosterRepository } from '../store/repositories/roster.js';
import { SmsRepository } from '../store/repositories/sms.js';

/** Undeliverable results in a row (30003/30005/30006) after which a family is marked unreachable. */
export const UNREACHABLE_AFTER = 3;

/** Outbox purposes of replies to a family's own text: allowed past an opt-out (see sms/consent.ts). */
export const REPLY_PURPOSES = new Set([
  'sms:help',
  'sms:opt_out_confirm',
  'sms:opt_in_confirm',
  'sms:crisis_reply',
  'sms:language',
  'sms:unknown_number',
]);

/** A short, stable stand-in for a phone number in keys and records that must not hold the number. */
export function phoneRef(e164: string): string {
  return `phone:${createHash('sha256').update(e164).digest('hex').slice(0, 16)}`;
}

/** UTC day of `ms`, the period of once-a-day replies. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
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
  guardiansByPhone(e164: string): GuardianRow[] {
    return new RosterRepository(this.ctx.db).guardiansByPhone(e164);
  }

  consentOf(guardianId: string, db: DbOrTx = this.ctx.db): ConsentState {
    return new ConsentRepository(db).current(guardianId);
  }

  /** Why a message to a guardian may not go out now, or null. Used by the transport just before sending. */
  blockFor(guardianId: string, intent: { urgent: boolean; replyToInbound: boolean }): TextBlock | null {
    const guardian = new RosterRepository(this.ctx.db).guardian(guardianId);
    if (!guardian) return null;
    return textBlock(guardian, this.consentOf(guardianId), intent);
  }

  /**
   * The transport's last step before calling Twilio: the consent check (a family that opted out after a
   * text was queued is not texted), the final body (rendered with numbered choices when the row has none;
   * the consent notice appended to the very first routine text) and its encoding and segments, stored on
   * the outbox row.
   */
  prepareOutbound(message: OutboundMessage): { ok: true; body: string } | { ok: false; reason: TextBlock } {
    const row = new OutboxRepository(this.ctx.db).get(message.id);
    const replyToInbound = row !== undefined && REPLY_PURPOSES.has(row.purpose);
    const isGuardian = row?.recipientKind !== 'staff';
    const block = isGuardian
      ? this.blockFor(message.recipientId, { urgent: message.urgent, replyToInbound })
      : null;
    if (block) return { ok: false, reason: block };
    let body = message.body ?? renderSms(this.texts, message.payload, message.locale).body;
    if (
      isGuardian &&
      !replyToInbound &&
      !new SmsRepository(this.ctx.db).everTexted(message.recipientId, message.id)
    ) {
      const notice = this.texts.t(CONSENT_NOTICE_KEY, message.locale, {
        school: this.schoolNameOf(message.recipientId),
      }).text;
      if (!body.includes(notice)) body = `${body}\n${notice}`;
    }
    const cost = smsSegments(body);
    new SmsRepository(this.ctx.db).recordRendered(message.id, body, cost.encoding, cost.segments);
    return { ok: true, body };
  }

  /**
   * Opts guardians out: sms_status 'opted_out', a 'revoked' consent record, pending non-urgent texts
   * cancelled (except `keepOutboxId`, the confirmation). Returns the ids that changed.
   */
  optOut(
    tx: DbOrTx,
    guardians: GuardianRow[],
    source: string,
    actor: string,
    keepOutboxId?: string,
  ): string[] {
    const by = this.actor(actor);
    const sms = new SmsRepository(tx);
    const consents = new ConsentRepository(tx);
    const changed: string[] = [];
    for (const g of guardians) {
      const statusChanged = sms.setSmsStatus(g.id, 'opted_out', by, source);
      if (consents.current(g.id) !== 'revoked')
        consents.record({ guardianId: g.id, status: 'revoked', source, locale: g.locale }, by);
      sms.cancelPending(g.id, by.at, keepOutboxId);
      if (statusChanged) changed.push(g.id);
    }
    return changed;
  }

  /** Opts guardians back in: 'active' and a 'granted' consent record. Returns the ids that changed. */
  optIn(tx: DbOrTx, guardians: GuardianRow[], source: string, actor: string): string[] {
    const by = this.actor(actor);
    const sms = new SmsRepository(tx);
    const consents = new ConsentRepository(tx);
    const changed: string[] = [];
    for (const g of guardians) {
      const statusChanged = sms.setSmsStatus(g.id, 'active', by, source);
      const consentChanged = consents.current(g.id) !== 'granted';
      if (consentChanged)
        consents.record({ guardianId: g.id, status: 'granted', source, locale: g.locale }, by);
      if (statusChanged || consentChanged) changed.push(g.id);
    }
    return changed;
  }

  /** Switches guardians' language. */
  setLanguage(tx: DbOrTx, guardians: GuardianRow[], locale: string, actor: string): void {
    const by = this.actor(actor);
    const sms = new SmsRepository(tx);
    for (const g of guardians) sms.setLocale(g.id, locale, by);
  }

  /**
   * Writes a reply to the outbox, rendered now so its encoding and segments are known. Returns the outbox
   * id, or null when a reply with the same key exists (the once-a-day and once-per-message limits).
   */
  enqueueReply(tx: DbOrTx, reply: SmsReply): string | null {
    const now = this.ctx.clock();
    const recipient = reply.guardian?.id ?? phoneRef(reply.address);
    const rendered = renderSms(this.texts, reply.payload, reply.locale);
    const id = OutboxRepository.enqueue(tx, {
      id: this.ctx.ids(),
      idempotencyKey: `${reply.purpose}|${recipient}|${reply.period}`,
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
    if (id) new SmsRepository(tx).recordRendered(id, rendered.body, rendered.encoding, rendered.segments);
    return id;
  }

  /**
   * What a permanent send error says about the number: 21610 (the number sent STOP to the carrier or
   * Twilio) opts the family out; 21211 (not a valid number) and 21614 (not a mobile number) mark it invalid.
   */
  applySendError(guardianId: string, code: string | undefined): void {
    if (!code) return;
    this.ctx.db.transaction((tx) => {
      const guardian = new RosterRepository(tx).guardian(guardianId);
      if (!guardian) return;
      if (code === '21610') this.optOut(tx, [guardian], 'carrier_block', 'twilio');
      else if (code === '21211' || code === '21614')
        new SmsRepository(tx).setSmsStatus(guardianId, 'invalid', this.actor('twilio'), `twilio_${code}`);
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
  ): { applied: boolean; markedUnreachable: boolean } {
    return this.ctx.db.transaction((tx) => {
      const sms = new SmsRepository(tx);
      const target = sms.reportTarget(providerMessageId);
      if (!target || !advancesStatus(target.providerStatus, status))
        return { applied: false, markedUnreachable: false };
      const applied = sms.applyReport(target, status, errorCode, this.ctx.clock());
      let markedUnreachable = false;
      if (
        applied &&
        target.recipientKind === 'guardian' &&
        (status === 'undelivered' || status === 'failed')
      ) {
        const recent = sms.recentResults(target.recipientId, UNREACHABLE_AFTER);
        const streak =
          recent.length === UNREACHABLE_AFTER &&
          recent.every(
            (r) =>
              (r.providerStatus === 'undelivered' || r.providerStatus === 'failed') &&
              UNDELIVERABLE_CODES.has((r.lastError ?? '').replace(/^provider:/, '')),
          );
        const guardian = new RosterRepository(tx).guardian(target.recipientId);
        if (streak && guardian?.smsStatus === 'active')
          markedUnreachable = sms.setSmsStatus(
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
  schoolNameOf(guardianId: string, db: DbOrTx = this.ctx.db): string {
    const roster = new RosterRepository(db);
    const student = roster.studentsOfGuardian(guardianId)[0];
    return (student && roster.school(student.schoolId)?.name) || '';
  }
}
