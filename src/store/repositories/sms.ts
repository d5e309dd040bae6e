import {
  and,
  asc,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  ne,
  notLike,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { Tables } from '../dialect.js';
import type { familyMessages, familyTexts, SmsStatus, smsPauses } from '../schema/index.js';
import { type Actor, AuditedRepository } from './audit.js';
import { MAYBE_DELIVERED_PREFIX } from './outbox.js';
import type { GuardianRow } from './roster.js';

/** The slice of an outbox row a delivery report needs. */
export interface SmsReportTarget {
  id: string;
  recipientKind: string;
  recipientId: string;
  status: string;
  providerStatus: string | null;
}

/** A final SMS delivery result of one guardian, newest first (for the unreachable streak). */
export interface SmsResult {
  providerStatus: string | null;
  lastError: string | null;
}

/** A text a family sent outside any check-in, kept for the navigator. */
export type FamilyMessageRow = typeof familyMessages.$inferSelect;

/** Any text a family's phone sent, with what it was read as (see `familyTexts`). */
export type FamilyTextRow = typeof familyTexts.$inferSelect;

/** A phone's pause of routine check-ins. */
export type SmsPauseRow = typeof smsPauses.$inferSelect;

/** Outbox purpose of the consent notice (how to stop), sent as its own text before the first routine one. */
export const CONSENT_NOTICE_PURPOSE = 'sms:consent_notice';

/** Outbox rows that are texts to `recipientId`. */
function smsTo(t: Tables, recipientId: string): SQL | undefined {
  const { outbox } = t;
  return and(eq(outbox.channel, 'sms'), eq(outbox.recipientId, recipientId));
}

/** Outbox rows that are texts to the guardian `guardianId`. */
function smsToGuardian(t: Tables, guardianId: string): SQL | undefined {
  return and(smsTo(t, guardianId), eq(t.outbox.recipientKind, 'guardian'));
}

/**
 * SMS-specific writes the roster and outbox repositories do not cover: a guardian's SMS status and
 * language as the family or the carrier sets them (audit-logged), monotonic delivery reports, cancelling
 * pending texts after an opt-out, and the recent delivery results used to mark a family unreachable.
 */
export class SmsRepository extends AuditedRepository {
  /** Sets a guardian's SMS status; returns false (and writes nothing) when it already had it. */
  async setSmsStatus(guardianId: string, status: SmsStatus, by: Actor, reason: string): Promise<boolean> {
    const { guardians } = this.t;
    const [before] = await this.db.select().from(guardians).where(eq(guardians.id, guardianId));
    if (!before || before.smsStatus === status) return false;
    await this.db
      .update(guardians)
      .set({ smsStatus: status, updatedAt: by.at })
      .where(eq(guardians.id, guardianId));
    await this.audit.append({
      entity: 'guardian',
      entityId: guardianId,
      action: 'sms_status',
      before: { smsStatus: before.smsStatus },
      after: { smsStatus: status, reason },
      ...by,
    });
    return true;
  }

  /** Sets a guardian's language; returns false when unchanged. */
  async setLocale(guardianId: string, locale: string, by: Actor): Promise<boolean> {
    const { guardians } = this.t;
    const [before] = await this.db.select().from(guardians).where(eq(guardians.id, guardianId));
    if (!before || before.locale === locale) return false;
    await this.db.update(guardians).set({ locale, updatedAt: by.at }).where(eq(guardians.id, guardianId));
    await this.audit.append({
      entity: 'guardian',
      entityId: guardianId,
      action: 'locale',
      before: { locale: before.locale },
      after: { locale },
      ...by,
    });
    return true;
  }

  /** Guardians with one of `ids`. */
  async guardians(ids: string[]): Promise<GuardianRow[]> {
    if (ids.length === 0) return [];
    const { guardians } = this.t;
    return await this.db.select().from(guardians).where(inArray(guardians.id, ids));
  }

  /** The outbox row a provider message id belongs to. */
  async reportTarget(providerMessageId: string): Promise<SmsReportTarget | undefined> {
    const { outbox } = this.t;
    const [row] = await this.db
      .select({
        id: outbox.id,
        recipientKind: outbox.recipientKind,
        recipientId: outbox.recipientId,
        status: outbox.status,
        providerStatus: outbox.providerStatus,
      })
      .from(outbox)
      .where(and(eq(outbox.providerMessageId, providerMessageId), eq(outbox.channel, 'sms')))
      .limit(1);
    return row;
  }

  /**
   * Stores a delivery report on an outbox row. The caller has checked the status only moves forward; the
   * `where` on the old value makes a concurrent report lose cleanly instead of overwriting a newer one.
   */
  async applyReport(
    target: SmsReportTarget,
    providerStatus: string,
    errorCode: string | undefined,
    now: number,
  ): Promise<boolean> {
    const final =
      providerStatus === 'delivered' || providerStatus === 'read'
        ? { status: 'delivered' as const }
        : providerStatus === 'undelivered' || providerStatus === 'failed'
          ? { status: 'failed' as const, lastError: `provider:${errorCode ?? 'unknown'}` }
          : {};
    const { outbox } = this.t;
    const r = await this.db
      .update(outbox)
      .set({ providerStatus, updatedAt: now, ...final })
      .where(
        and(
          eq(outbox.id, target.id),
          target.providerStatus === null
            ? isNull(outbox.providerStatus)
            : eq(outbox.providerStatus, target.providerStatus),
        ),
      );
    return this.dialect.affected(r) === 1;
  }

  /** The newest final SMS results of a guardian (delivered, undelivered, failed), newest first. */
  async recentResults(guardianId: string, limit: number): Promise<SmsResult[]> {
    const { outbox } = this.t;
    return await this.db
      .select({ providerStatus: outbox.providerStatus, lastError: outbox.lastError })
      .from(outbox)
      .where(
        and(
          smsToGuardian(this.t, guardianId),
          isNotNull(outbox.providerStatus),
          inArray(outbox.providerStatus, ['delivered', 'read', 'undelivered', 'failed']),
        ),
      )
      .orderBy(desc(outbox.updatedAt), desc(outbox.sentAt))
      .limit(limit);
  }

  /** True when the guardian was ever sent an SMS that left or may have left, other than `exceptId`. */
  async everTexted(guardianId: string, exceptId?: string): Promise<boolean> {
    const { outbox } = this.t;
    return this.outboxHas(
      and(
        smsTo(this.t, guardianId),
        inArray(outbox.status, ['sending', 'sent', 'delivered']),
        exceptId ? ne(outbox.id, exceptId) : undefined,
      ),
    );
  }

  /** Stores the body exactly as sent, with its encoding and segment count. */
  async recordRendered(outboxId: string, body: string, encoding: string, segments: number): Promise<void> {
    const { outbox } = this.t;
    await this.db.update(outbox).set({ body, encoding, segments }).where(eq(outbox.id, outboxId));
  }

  /**
   * Cancels a guardian's pending, non-urgent SMS (after an opt-out), except the row with `keepId` (the one
   * confirmation). Returns how many were cancelled.
   */
  async cancelPending(guardianId: string, now: number, keepId?: string): Promise<number> {
    return this.cancelPendingWhere(smsToGuardian(this.t, guardianId), now, keepId);
  }

  /**
   * Cancels every pending, non-urgent SMS to a number, whoever it was queued for (a guardian, or the
   * number itself when no guardian has it), except the row with `keepId`. Returns how many were cancelled.
   */
  async cancelPendingTo(address: string, now: number, keepId?: string): Promise<number> {
    const { outbox } = this.t;
    return this.cancelPendingWhere(and(eq(outbox.channel, 'sms'), eq(outbox.address, address)), now, keepId);
  }

  private async cancelPendingWhere(
    to: SQL | undefined,
    now: number,
    keepId: string | undefined,
  ): Promise<number> {
    const { outbox } = this.t;
    const r = await this.db
      .update(outbox)
      .set({
        status: 'cancelled',
        lastError: 'opted_out',
        updatedAt: now,
        leaseOwner: null,
        leaseUntil: null,
      })
      .where(
        and(
          to,
          eq(outbox.status, 'pending'),
          eq(outbox.urgent, false),
          keepId ? ne(outbox.id, keepId) : undefined,
        ),
      );
    return this.dialect.affected(r);
  }

  /**
   * Adds a number to the opted-out list (audit-logged under `ref`, a stand-in that is not the number).
   * Returns false when it was there already.
   */
  async optOutPhone(phone: string, ref: string, source: string, by: Actor): Promise<boolean> {
    const { smsOptOuts } = this.t;
    const r = await this.db
      .insert(smsOptOuts)
      .values({ phone, source, createdAt: by.at })
      .onConflictDoNothing();
    if (this.dialect.affected(r) !== 1) return false;
    await this.audit.append({
      entity: 'sms_opt_out',
      entityId: ref,
      action: 'opt_out',
      before: null,
      after: { source },
      ...by,
    });
    return true;
  }

  /** Removes a number from the opted-out list (START); returns false when it was not on it. */
  async clearPhoneOptOut(phone: string, ref: string, source: string, by: Actor): Promise<boolean> {
    const { smsOptOuts } = this.t;
    const [before] = await this.db.select().from(smsOptOuts).where(eq(smsOptOuts.phone, phone));
    if (!before) return false;
    await this.db.delete(smsOptOuts).where(eq(smsOptOuts.phone, phone));
    await this.audit.append({
      entity: 'sms_opt_out',
      entityId: ref,
      action: 'opt_in',
      before: { source: before.source },
      after: { source },
      ...by,
    });
    return true;
  }

  /** True when the number said STOP (and not START since). */
  async phoneOptedOut(phone: string | null | undefined): Promise<boolean> {
    return (await this.phoneOptedOutAt(phone)) !== undefined;
  }

  /** When the number went on the opted-out list (the first STOP since the last START), or undefined. */
  async phoneOptedOutAt(phone: string | null | undefined): Promise<number | undefined> {
    if (!phone) return undefined;
    const { smsOptOuts } = this.t;
    // Asked for every text in and every text out: compiled once.
    const query = this.prepared<{ createdAt: number }[]>('sms_phone_opted_out_at', () =>
      this.db
        .select({ createdAt: smsOptOuts.createdAt })
        .from(smsOptOuts)
        .where(eq(smsOptOuts.phone, sql.placeholder('phone'))),
    );
    return (await query.execute({ phone }))[0]?.createdAt;
  }

  /** True when a consent notice for the guardian is waiting, being sent, or was sent. */
  async hasConsentNotice(guardianId: string): Promise<boolean> {
    const { outbox } = this.t;
    return this.outboxHas(
      and(
        smsTo(this.t, guardianId),
        eq(outbox.purpose, CONSENT_NOTICE_PURPOSE),
        inArray(outbox.status, ['pending', 'sending', 'sent', 'delivered']),
      ),
    );
  }

  /** True when an outbox row holds this provider message id. */
  async hasProviderId(providerMessageId: string): Promise<boolean> {
    return this.outboxHas(eq(this.t.outbox.providerMessageId, providerMessageId));
  }

  /** True when some outbox row matches `where`. */
  private async outboxHas(where: SQL | undefined): Promise<boolean> {
    const { outbox } = this.t;
    return (await this.db.select({ id: outbox.id }).from(outbox).where(where).limit(1)).length > 0;
  }

  /** Stores a family's text received outside any check-in. */
  async recordFamilyMessage(row: FamilyMessageRow): Promise<void> {
    const { familyMessages } = this.t;
    await this.db.insert(familyMessages).values(row);
  }

  /** A guardian's texts received outside a check-in at or after `since`, oldest first. */
  async familyMessagesSince(guardianId: string, since: number): Promise<FamilyMessageRow[]> {
    const { familyMessages } = this.t;
    return await this.db
      .select()
      .from(familyMessages)
      .where(and(eq(familyMessages.guardianId, guardianId), gte(familyMessages.receivedAt, since)))
      .orderBy(asc(familyMessages.receivedAt), asc(familyMessages.id));
  }

  /**
   * Texts read as a check-in answer whose handling never finished: their platform event is still 'received'
   * (the process died between storing the text and the conversation's step). Oldest first.
   */
  async unfinishedAnswers(): Promise<FamilyTextRow[]> {
    const { familyTexts, inboundEvents } = this.t;
    const rows = await this.db
      .select({ text: familyTexts })
      .from(familyTexts)
      .innerJoin(
        inboundEvents,
        eq(inboundEvents.id, sql`${familyTexts.channel} || ':' || ${familyTexts.eventId}`),
      )
      .where(
        and(
          eq(familyTexts.meaning, 'answer'),
          isNotNull(familyTexts.guardianId),
          eq(inboundEvents.status, 'received'),
        ),
      )
      .orderBy(asc(familyTexts.receivedAt));
    return rows.map((r) => r.text);
  }

  /** Stores one inbound text, whatever it meant; `meaning` may be refined later with `setFamilyTextMeaning`. */
  async recordFamilyText(row: FamilyTextRow): Promise<void> {
    const { familyTexts } = this.t;
    const p = (name: string) => sql.placeholder(name);
    const query = this.prepared<unknown>('sms_record_family_text', () =>
      this.db.insert(familyTexts).values({
        id: p('id'),
        channel: p('channel'),
        eventId: p('eventId'),
        guardianId: p('guardianId'),
        address: p('address'),
        body: p('body'),
        meaning: p('meaning'),
        receivedAt: p('receivedAt'),
      }),
    );
    await query.execute({ ...row, guardianId: row.guardianId ?? null, meaning: row.meaning ?? null });
  }

  /** Removes the record of a text whose handling failed, so the platform's retry is stored once. */
  async forgetFamilyText(id: string): Promise<void> {
    const { familyTexts } = this.t;
    await this.db.delete(familyTexts).where(eq(familyTexts.id, id));
  }

  /** Refines what an inbound text was read as once the check-in has read it ('answer', 'note'). */
  async setFamilyTextMeaning(id: string, meaning: string): Promise<void> {
    const { familyTexts } = this.t;
    await this.db.update(familyTexts).set({ meaning }).where(eq(familyTexts.id, id));
  }

  /** Inbound texts received at or after `since`, oldest first, for a guardian or (no id) for everyone. */
  async familyTextsSince(since: number, guardianId?: string): Promise<FamilyTextRow[]> {
    const { familyTexts } = this.t;
    return await this.db
      .select()
      .from(familyTexts)
      .where(
        and(
          gte(familyTexts.receivedAt, since),
          guardianId ? eq(familyTexts.guardianId, guardianId) : undefined,
        ),
      )
      .orderBy(asc(familyTexts.receivedAt), asc(familyTexts.id));
  }

  /** Pauses routine texts to a number until `until` (replacing an earlier pause). */
  async pausePhone(phone: string, until: number, weeks: number, at: number): Promise<void> {
    const { smsPauses } = this.t;
    await this.db
      .insert(smsPauses)
      .values({ phone, until, weeks, createdAt: at })
      .onConflictDoUpdate({ target: smsPauses.phone, set: { until, weeks, createdAt: at } });
  }

  /** Ends a number's pause at once (START, or a new opt-in). */
  async clearPause(phone: string): Promise<void> {
    const { smsPauses } = this.t;
    await this.db.delete(smsPauses).where(eq(smsPauses.phone, phone));
  }

  /** The pause in force for a number at `now`, if any: a pause past its date is over without any job. */
  async pauseAt(phone: string | null | undefined, now: number): Promise<SmsPauseRow | undefined> {
    if (!phone) return undefined;
    const { smsPauses } = this.t;
    const [row] = await this.db.select().from(smsPauses).where(eq(smsPauses.phone, phone));
    return row && row.until > now ? row : undefined;
  }

  /**
   * True when a routine text of this check-in session to the guardian has not left yet (held by quiet hours,
   * or waiting for the relay, or refused and waiting for a retry): the family has not seen that question, so a
   * reply cannot answer it.
   */
  async sessionTextHeld(guardianId: string, sessionId: string): Promise<boolean> {
    const { outbox } = this.t;
    const rows = await this.db
      .select({ origin: outbox.origin })
      .from(outbox)
      .where(
        and(
          smsToGuardian(this.t, guardianId),
          eq(outbox.status, 'pending'),
          // Refused by the provider and waiting for a retry is still held; a failure that may have been
          // delivered is not (the family may have the question).
          or(
            eq(outbox.attempts, 0),
            isNull(outbox.lastError),
            notLike(outbox.lastError, `${MAYBE_DELIVERED_PREFIX}%`),
          ),
          eq(outbox.urgent, false),
        ),
      );
    return rows.some((r) => r.origin?.sessionId === sessionId);
  }

  /** The body of the newest text of this check-in session that has left for the guardian, if any. */
  async lastSessionTextSent(guardianId: string, sessionId: string): Promise<string | undefined> {
    const { outbox } = this.t;
    const rows = await this.db
      .select({ origin: outbox.origin, body: outbox.body })
      .from(outbox)
      .where(and(smsToGuardian(this.t, guardianId), inArray(outbox.status, ['sending', 'sent', 'delivered'])))
      .orderBy(desc(outbox.createdAt), desc(outbox.id));
    return rows.find((r) => r.origin?.sessionId === sessionId)?.body ?? undefined;
  }
}
