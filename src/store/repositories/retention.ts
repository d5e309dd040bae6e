import { and, count, eq, inArray, isNotNull, lt, ne, or, sql } from 'drizzle-orm';
import type { MessagePayload } from '../../messages.js';
import type { DbOrTx } from '../db.js';
import { auditLog, familyMessages, familyTexts, outbox } from '../schema/index.js';
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
    const audit = this.db.delete(auditLog).where(lt(auditLog.at, auditBefore)).run();
    return {
      outboxBodies: due.length,
      familyTexts: texts.changes,
      familyMessages: messages.changes,
      auditEntries: audit.changes,
    };
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
