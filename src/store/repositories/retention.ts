import { and, count, eq, inArray, isNotNull, lt, ne, or } from 'drizzle-orm';
import type { MessagePayload } from '../../messages.js';
import type { DbOrTx } from '../db.js';
import { Repository } from '../store.js';

/** What a body reads once the retention policy has removed it. */
export const REDACTED = '[redacted]';

/**
 * Message parameters kept when a message's words are redacted: they name the message (an escalation's short
 * reference, a text key as a label, a week, the failing channel and purpose of a dead-letter alert) or are
 * counts, never what a person wrote or who they are. Every other string parameter (a family's note, a
 * student's name or initials, a school or a phone) goes: an allow-list, so a parameter added later is
 * redacted until someone decides it is safe. Numbers and `{ key }` references (text keys) are always kept.
 */
export const KEPT_PARAMS = ['id', 'label', 'week', 'channel', 'purpose', 'rate', 'change'] as const;

/** A payload with its personal words replaced by `REDACTED`; text keys, choices' ids, numbers and `KEPT_PARAMS` stay. */
export function redactPayload(payload: MessagePayload): MessagePayload {
  const params = (p: MessagePayload['params']) =>
    p &&
    Object.fromEntries(
      Object.entries(p).map(([k, v]) => [
        k,
        typeof v === 'string' && !(KEPT_PARAMS as readonly string[]).includes(k) ? REDACTED : v,
      ]),
    );
  return {
    ...payload,
    ...(payload.params ? { params: params(payload.params) } : {}),
    ...(payload.choices
      ? { choices: payload.choices.map((c) => (c.params ? { ...c, params: params(c.params) } : c)) }
      : {}),
  };
}

/** Rows the retention policy touches (or would touch), by what they are. */
export interface RetentionCounts {
  outboxBodies: number;
  familyTexts: number;
  familyMessages: number;
  /** Escalations closed before the cut-off whose own note, or a note staff added, still had words. */
  escalationNotes: number;
  /** Referrals closed before the cut-off whose decline reason still had words. */
  referralReasons: number;
  auditEntries: number;
}

/** Message bodies older than a cut-off, and audit entries older than another, for the retention policy. */
export class RetentionRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  /** How many rows `apply` would change: bodies written before `bodiesBefore`, audit entries before `auditBefore`. */
  async count(bodiesBefore: number, auditBefore: number): Promise<RetentionCounts> {
    const { auditLog, familyMessages, familyTexts, outbox, referrals } = this.t;
    const n = (rows: Array<{ n: number }>) => rows[0]?.n ?? 0;
    return {
      outboxBodies: n(await this.db.select({ n: count() }).from(outbox).where(this.outboxDue(bodiesBefore))),
      familyTexts: n(
        await this.db
          .select({ n: count() })
          .from(familyTexts)
          .where(and(lt(familyTexts.receivedAt, bodiesBefore), ne(familyTexts.body, REDACTED))),
      ),
      familyMessages: n(
        await this.db
          .select({ n: count() })
          .from(familyMessages)
          .where(and(lt(familyMessages.receivedAt, bodiesBefore), ne(familyMessages.body, REDACTED))),
      ),
      escalationNotes: await this.closedCasesWithNotes(bodiesBefore),
      referralReasons: n(
        await this.db.select({ n: count() }).from(referrals).where(this.referralReasonDue(bodiesBefore)),
      ),
      auditEntries: n(
        await this.db.select({ n: count() }).from(auditLog).where(lt(auditLog.at, auditBefore)),
      ),
    };
  }

  /** Redacts the bodies and deletes the audit entries `count` names; returns what it changed. */
  async apply(bodiesBefore: number, auditBefore: number): Promise<RetentionCounts> {
    const { auditLog, escalationNotes, escalations, familyMessages, familyTexts, outbox, referrals } = this.t;
    // Row by row: the payload is JSON and its redaction keeps part of it. Only rows with words left are read,
    // so a nightly run does not rescan years of redacted rows.
    const due = await this.db
      .select({ id: outbox.id, payload: outbox.payload })
      .from(outbox)
      .where(this.outboxDue(bodiesBefore));
    for (const row of due)
      await this.db
        .update(outbox)
        .set({ body: null, payload: redactPayload(row.payload as MessagePayload) })
        .where(eq(outbox.id, row.id));
    const texts = await this.db
      .update(familyTexts)
      .set({ body: REDACTED })
      .where(and(lt(familyTexts.receivedAt, bodiesBefore), ne(familyTexts.body, REDACTED)));
    const messages = await this.db
      .update(familyMessages)
      .set({ body: REDACTED })
      .where(and(lt(familyMessages.receivedAt, bodiesBefore), ne(familyMessages.body, REDACTED)));
    const cases = await this.closedCasesWithNotes(bodiesBefore);
    await this.db
      .update(escalationNotes)
      .set({ text: REDACTED })
      .where(inArray(escalationNotes.id, this.noteIdsDue(bodiesBefore)));
    await this.db
      .update(escalations)
      .set({ note: REDACTED })
      .where(and(this.escalationClosed(bodiesBefore), this.escalationNoteDue()));
    const reasons = await this.db
      .update(referrals)
      .set({ declineReason: REDACTED })
      .where(this.referralReasonDue(bodiesBefore));
    const audit = await this.db.delete(auditLog).where(lt(auditLog.at, auditBefore));
    return {
      outboxBodies: due.length,
      familyTexts: this.dialect.affected(texts),
      familyMessages: this.dialect.affected(messages),
      escalationNotes: cases,
      referralReasons: this.dialect.affected(reasons),
      auditEntries: this.dialect.affected(audit),
    };
  }

  /** Escalations closed before the cut-off with words left in their own note or in a note added to them. */
  private async closedCasesWithNotes(before: number): Promise<number> {
    const { escalations } = this.t;
    const rows = await this.db
      .select({ n: count() })
      .from(escalations)
      .where(
        and(
          this.escalationClosed(before),
          or(this.escalationNoteDue(), inArray(escalations.id, this.notesDue(before))),
        ),
      );
    return rows[0]?.n ?? 0;
  }

  // Staff's words on a case stay while it is open, however old: the counselor still works from them. Once it
  // is resolved, its last change (the resolution) starts the same clock as a message's words.
  private escalationClosed(before: number) {
    const { escalations } = this.t;
    return and(eq(escalations.status, 'resolved'), lt(escalations.updatedAt, before));
  }

  private escalationNoteDue() {
    const { escalations } = this.t;
    return and(isNotNull(escalations.note), ne(escalations.note, REDACTED));
  }

  /** Notes with words left on escalations closed before the cut-off. */
  private noteIdsDue(before: number) {
    const { escalationNotes, escalations } = this.t;
    return this.db
      .select({ id: escalationNotes.id })
      .from(escalationNotes)
      .innerJoin(escalations, eq(escalations.id, escalationNotes.escalationId))
      .where(and(this.escalationClosed(before), ne(escalationNotes.text, REDACTED)));
  }

  /** Escalations closed before the cut-off with a staff note that still has words. */
  private notesDue(before: number) {
    const { escalationNotes, escalations } = this.t;
    return this.db
      .select({ id: escalationNotes.escalationId })
      .from(escalationNotes)
      .innerJoin(escalations, eq(escalations.id, escalationNotes.escalationId))
      .where(and(this.escalationClosed(before), ne(escalationNotes.text, REDACTED)));
  }

  /** A decline reason with words left on a referral closed (resolved or declined) before the cut-off. */
  private referralReasonDue(before: number) {
    const { referrals } = this.t;
    return and(
      inArray(referrals.status, ['resolved', 'declined']),
      lt(referrals.updatedAt, before),
      isNotNull(referrals.declineReason),
      ne(referrals.declineReason, REDACTED),
    );
  }

  /**
   * Outbox rows that are finished (never one still to be sent) and old, with words left: a body, or a string
   * parameter outside `KEPT_PARAMS` (in the message's params or a choice's) that is not yet `REDACTED`.
   * A Slack or Teams row has no body (it is rendered when sent), so its parameters are all its words.
   */
  private outboxDue(before: number) {
    const { outbox } = this.t;
    return and(
      lt(outbox.createdAt, before),
      or(isNotNull(outbox.body), this.dialect.wordsInParams(outbox.payload, KEPT_PARAMS, REDACTED)),
      inArray(outbox.status, ['sent', 'delivered', 'failed', 'dead', 'cancelled']),
    );
  }
}
