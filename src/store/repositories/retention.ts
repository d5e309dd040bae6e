import { and, count, eq, inArray, isNotNull, lt, ne, or, sql } from 'drizzle-orm';
import type { MessagePayload } from '../../messages.js';
import type { DbOrTx } from '../db.js';
import {
  auditLog,
  escalationNotes,
  escalations,
  familyMessages,
  familyTexts,
  outbox,
  referrals,
} from '../schema/index.js';
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
    const n = (rows: Array<{ n: number }>) => rows[0]?.n ?? 0;
    return {
      outboxBodies: n(this.db.select({ n: count() }).from(outbox).where(this.outboxDue(bodiesBefore)).all()),
      familyTexts: n(
        this.db
          .select({ n: count() })
          .from(familyTexts)
          .where(and(lt(familyTexts.receivedAt, bodiesBefore), ne(familyTexts.body, REDACTED)))
          .all(),
      ),
      familyMessages: n(
        this.db
          .select({ n: count() })
          .from(familyMessages)
          .where(and(lt(familyMessages.receivedAt, bodiesBefore), ne(familyMessages.body, REDACTED)))
          .all(),
      ),
      escalationNotes: this.closedCasesWithNotes(bodiesBefore),
      referralReasons: n(
        this.db.select({ n: count() }).from(referrals).where(this.referralReasonDue(bodiesBefore)).all(),
      ),
      auditEntries: n(
        this.db.select({ n: count() }).from(auditLog).where(lt(auditLog.at, auditBefore)).all(),
      ),
    };
  }

  /** Redacts the bodies and deletes the audit entries `count` names; returns what it changed. */
  async apply(bodiesBefore: number, auditBefore: number): Promise<RetentionCounts> {
    // Row by row: the payload is JSON and its redaction keeps part of it. Only rows with words left are read,
    // so a nightly run does not rescan years of redacted rows.
    const due = this.db
      .select({ id: outbox.id, payload: outbox.payload })
      .from(outbox)
      .where(this.outboxDue(bodiesBefore))
      .all();
    for (const row of due)
      this.db
        .update(outbox)
        .set({ body: null, payload: redactPayload(row.payload as MessagePayload) })
        .where(eq(outbox.id, row.id))
        .run();
    const texts = this.db
      .update(familyTexts)
      .set({ body: REDACTED })
      .where(and(lt(familyTexts.receivedAt, bodiesBefore), ne(familyTexts.body, REDACTED)))
      .run();
    const messages = this.db
      .update(familyMessages)
      .set({ body: REDACTED })
      .where(and(lt(familyMessages.receivedAt, bodiesBefore), ne(familyMessages.body, REDACTED)))
      .run();
    const cases = this.closedCasesWithNotes(bodiesBefore);
    this.db
      .update(escalationNotes)
      .set({ text: REDACTED })
      .where(inArray(escalationNotes.id, this.noteIdsDue(bodiesBefore)))
      .run();
    this.db
      .update(escalations)
      .set({ note: REDACTED })
      .where(and(this.escalationClosed(bodiesBefore), this.escalationNoteDue()))
      .run();
    const reasons = this.db
      .update(referrals)
      .set({ declineReason: REDACTED })
      .where(this.referralReasonDue(bodiesBefore))
      .run();
    const audit = this.db.delete(auditLog).where(lt(auditLog.at, auditBefore)).run();
    return {
      outboxBodies: due.length,
      familyTexts: texts.changes,
      familyMessages: messages.changes,
      escalationNotes: cases,
      referralReasons: reasons.changes,
      auditEntries: audit.changes,
    };
  }

  /** Escalations closed before the cut-off with words left in their own note or in a note added to them. */
  private closedCasesWithNotes(before: number): number {
    const row = this.db
      .select({ n: count() })
      .from(escalations)
      .where(
        and(
          this.escalationClosed(before),
          or(this.escalationNoteDue(), inArray(escalations.id, this.notesDue(before))),
        ),
      )
      .get();
    return row?.n ?? 0;
  }

  // Staff's words on a case stay while it is open, however old: the counselor still works from them. Once it
  // is resolved, its last change (the resolution) starts the same clock as a message's words.
  private escalationClosed(before: number) {
    return and(eq(escalations.status, 'resolved'), lt(escalations.updatedAt, before));
  }

  private escalationNoteDue() {
    return and(isNotNull(escalations.note), ne(escalations.note, REDACTED));
  }

  /** Notes with words left on escalations closed before the cut-off. */
  private noteIdsDue(before: number) {
    return this.db
      .select({ id: escalationNotes.id })
      .from(escalationNotes)
      .innerJoin(escalations, eq(escalations.id, escalationNotes.escalationId))
      .where(and(this.escalationClosed(before), ne(escalationNotes.text, REDACTED)));
  }

  /** Escalations closed before the cut-off with a staff note that still has words. */
  private notesDue(before: number) {
    return this.db
      .select({ id: escalationNotes.escalationId })
      .from(escalationNotes)
      .innerJoin(escalations, eq(escalations.id, escalationNotes.escalationId))
      .where(and(this.escalationClosed(before), ne(escalationNotes.text, REDACTED)));
  }

  /** A decline reason with words left on a referral closed (resolved or declined) before the cut-off. */
  private referralReasonDue(before: number) {
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
    const kept = sql.join(
      KEPT_PARAMS.map((k) => sql`${k}`),
      sql`, `,
    );
    const wordsInPayload = sql`exists (select 1 from json_tree(${outbox.payload}) as j
      where j.type = 'text' and j.value <> ${REDACTED} and j.key not in (${kept})
        and (j.path = '$.params' or j.path glob '$.choices[[]*].params'))`;
    return and(
      lt(outbox.createdAt, before),
      or(isNotNull(outbox.body), wordsInPayload),
      inArray(outbox.status, ['sent', 'delivered', 'failed', 'dead', 'cancelled']),
    );
  }
}
