import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { MessagePayload } from '../../messages.js';
import type { DbOrTx } from '../db.js';
import { auditLog, CHANNELS, guardians, OUTBOX_STATUSES, outbox } from '../schema/index.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type OutboxStatus = OutboxRow['status'];

/** What a caller writes to the outbox, inside its own transaction. `notBefore` defaults to `createdAt`. */
export const NewOutboxMessage = z.object({
  id: z.string().min(1),
  idempotencyKey: z.string().min(1),
  channel: z.enum(CHANNELS),
  recipientKind: z.enum(['staff', 'guardian', 'channel']),
  recipientId: z.string().min(1),
  address: z.string().min(1),
  purpose: z.string().min(1),
  locale: z.string().min(2),
  payload: MessagePayload,
  body: z.string().nullish(),
  urgent: z.boolean().optional(),
  notBefore: z.number().int().optional(),
  createdAt: z.number().int(),
});
export type NewOutboxMessage = z.infer<typeof NewOutboxMessage>;

/** The parts of an idempotency key: who, why, which period (ISO week or date), which step or attempt. */
export interface OutboxKeyParts {
  recipient: string;
  purpose: string;
  period: string;
  step?: string | number;
}

/**
 * Idempotency key unique per (recipient, purpose, period, step).
 * Example: `outboxKey({ recipient: 'g-1', purpose: 'family_checkin', period: '2026-W48', step: 'q1' })`.
 */
export function outboxKey(parts: OutboxKeyParts): string {
  return [parts.purpose, parts.recipient, parts.period, String(parts.step ?? '-')]
    .map((p) => p.replaceAll('|', '/'))
    .join('|');
}

/**
 * `lastError` prefix of a row an earlier attempt may have delivered (the transport answered
 * `maybeDelivered`). It stays on the row until it is sent, so every later attempt looks before resending.
 */
export const MAYBE_DELIVERED_PREFIX = 'maybe_delivered:';

/** The `lastError` to record for a failure: prefixed when an earlier attempt may have been delivered. */
export function failureReason(reason: string, maybeDelivered: boolean): string {
  return maybeDelivered && !reason.startsWith(MAYBE_DELIVERED_PREFIX)
    ? `${MAYBE_DELIVERED_PREFIX}${reason}`
    : reason;
}

/**
 * A row the relay has leased. `uncertain`: an earlier attempt may have reached the platform (a relay died
 * after starting a send, or an attempt failed ambiguously, see `MAYBE_DELIVERED_PREFIX`).
 */
export type ClaimedOutboxRow = OutboxRow & { uncertain: boolean };

/** The transactional outbox: enqueue inside the caller's transaction, claim with a lease, record outcomes. */
export class OutboxRepository {
  constructor(private readonly db: DbOrTx) {}

  /**
   * Writes a message in the caller's transaction (or on the database). Insert-or-ignore on the idempotency
   * key: returns the new row's id, or null when a row with that key exists already.
   */
  static enqueue(tx: DbOrTx, message: NewOutboxMessage): string | null {
    const m = NewOutboxMessage.parse(message);
    const inserted = tx
      .insert(outbox)
      .values({
        id: m.id,
        idempotencyKey: m.idempotencyKey,
        channel: m.channel,
        recipientKind: m.recipientKind,
        recipientId: m.recipientId,
        address: m.address,
        purpose: m.purpose,
        locale: m.locale,
        payload: m.payload,
        body: m.body ?? null,
        urgent: m.urgent ?? false,
        notBefore: m.notBefore ?? m.createdAt,
        createdAt: m.createdAt,
        updatedAt: m.createdAt,
      })
      .onConflictDoNothing({ target: outbox.idempotencyKey })
      .returning({ id: outbox.id })
      .all();
    return inserted[0]?.id ?? null;
  }

  /** Same as the static form, on this repository's database or transaction. */
  enqueue(message: NewOutboxMessage): string | null {
    return OutboxRepository.enqueue(this.db, message);
  }

  get(id: string): OutboxRow | undefined {
    return this.db.select().from(outbox).where(eq(outbox.id, id)).get();
  }

  getByKey(idempotencyKey: string): OutboxRow | undefined {
    return this.db.select().from(outbox).where(eq(outbox.idempotencyKey, idempotencyKey)).get();
  }

  /**
   * Leases up to `limit` due rows in ONE statement (UPDATE ... WHERE id IN (SELECT ...) RETURNING), so two
   * relays never hold the same row. Due: pending with notBefore <= now and no live lease, or a 'sending'
   * row whose lease expired (its relay died mid-send). The status is left as it was: 'sending' in the
   * returned row tells the caller the previous attempt may have reached the platform.
   */
  claimDue(now: number, owner: string, leaseMs: number, limit: number): ClaimedOutboxRow[] {
    const due = this.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        or(
          and(
            eq(outbox.status, 'pending'),
            lte(outbox.notBefore, now),
            or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
          ),
          and(eq(outbox.status, 'sending'), lt(outbox.leaseUntil, now)),
        ),
      )
      .orderBy(asc(outbox.notBefore))
      .limit(limit);
    const rows = this.db
      .update(outbox)
      .set({ leaseOwner: owner, leaseUntil: now + leaseMs })
      .where(inArray(outbox.id, due))
      .returning()
      .all();
    return rows
      .sort((a, b) => a.notBefore - b.notBefore || a.createdAt - b.createdAt)
      .map((r) => ({
        ...r,
        uncertain: r.status === 'sending' || (r.lastError?.startsWith(MAYBE_DELIVERED_PREFIX) ?? false),
      }));
  }

  /**
   * Records, durably and before the platform call, that an attempt starts: status 'sending', attempts + 1.
   * Returns false when the lease is no longer ours (the caller must not send).
   */
  markAttempt(id: string, owner: string, now: number, leaseUntil: number): boolean {
    const r = this.db
      .update(outbox)
      .set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, leaseUntil, updatedAt: now })
      .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, owner)))
      .run();
    return r.changes === 1;
  }

  /** The platform accepted the message. */
  markSent(id: string, now: number, providerMessageId: string | null): void {
    this.db
      .update(outbox)
      .set({
        status: 'sent',
        providerMessageId,
        providerStatus: 'accepted',
        sentAt: now,
        updatedAt: now,
        leaseOwner: null,
        leaseUntil: null,
        lastError: null,
      })
      .where(eq(outbox.id, id))
      .run();
  }

  /** Back to pending with a later notBefore: held by quiet hours, rate-limited, or waiting to retry. */
  reschedule(id: string, now: number, notBefore: number, lastError?: string): void {
    this.db
      .update(outbox)
      .set({
        status: 'pending',
        notBefore,
        updatedAt: now,
        leaseOwner: null,
        leaseUntil: null,
        ...(lastError !== undefined ? { lastError } : {}),
      })
      .where(eq(outbox.id, id))
      .run();
  }

  /** Ends a row as 'failed' (permanent platform error) or 'dead' (attempts exhausted), with a reason. */
  finish(id: string, now: number, status: 'failed' | 'dead', reason: string): void {
    this.db
      .update(outbox)
      .set({ status, lastError: reason, updatedAt: now, leaseOwner: null, leaseUntil: null })
      .where(eq(outbox.id, id))
      .run();
  }

  /** An admin's retry: a dead or failed row goes back to pending with fresh attempts. */
  retry(id: string, now: number): boolean {
    const r = this.db
      .update(outbox)
      .set({
        status: 'pending',
        attempts: 0,
        notBefore: now,
        updatedAt: now,
        leaseOwner: null,
        leaseUntil: null,
      })
      .where(and(eq(outbox.id, id), inArray(outbox.status, ['dead', 'failed'])))
      .run();
    return r.changes === 1;
  }

  /** A platform's later delivery report (e.g. Twilio status callback) by its message id. */
  recordProviderStatus(providerMessageId: string, providerStatus: string, now: number): boolean {
    const delivered = providerStatus === 'delivered';
    const r = this.db
      .update(outbox)
      .set({ providerStatus, updatedAt: now, ...(delivered ? { status: 'delivered' as const } : {}) })
      .where(eq(outbox.providerMessageId, providerMessageId))
      .run();
    return r.changes > 0;
  }

  /** Newest rows first, optionally of one status. */
  list(options: { status?: OutboxStatus; limit?: number } = {}): OutboxRow[] {
    const q = this.db.select().from(outbox);
    const filtered = options.status ? q.where(eq(outbox.status, options.status)) : q;
    return filtered
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(options.limit ?? 50)
      .all();
  }

  /** Row counts per status (all statuses present, zero when none). */
  countByStatus(): Record<OutboxStatus, number> {
    const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
    const rows = this.db
      .select({ status: outbox.status, n: sql<number>`count(*)` })
      .from(outbox)
      .groupBy(outbox.status)
      .all();
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  /** Time zones of the given guardians, for quiet hours. */
  guardianTimezones(ids: string[]): Map<string, string> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .select({ id: guardians.id, timezone: guardians.timezone })
      .from(guardians)
      .where(inArray(guardians.id, ids))
      .all();
    return new Map(rows.map((r) => [r.id, r.timezone]));
  }

  /**
   * Audit record for a message sent inside quiet hours, with why (`urgent`, or `reply` to the family's own
   * text). No body, no address.
   */
  recordQuietHoursBypass(
    row: Pick<OutboxRow, 'id' | 'purpose' | 'recipientId'>,
    at: number,
    actor: string,
    reason: 'urgent' | 'reply',
  ): void {
    this.db
      .insert(auditLog)
      .values({
        at,
        actor,
        entity: 'outbox',
        entityId: row.id,
        action: 'quiet_hours_bypass',
        before: null,
        after: { purpose: row.purpose, guardianId: row.recipientId, reason },
      })
      .run();
  }

  /**
   * Records, once per death of a row (its id and the time it died), that an admin alert was raised for it.
   * Returns false when it was recorded already (the alert callback ran twice). Ids only: no body, no address.
   */
  recordDeadLetterAlert(
    row: Pick<OutboxRow, 'id' | 'channel' | 'purpose' | 'updatedAt'>,
    at: number,
  ): boolean {
    const seen = this.db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.entity, 'outbox'),
          eq(auditLog.entityId, row.id),
          eq(auditLog.action, 'dead_letter_alert'),
          sql`json_extract(${auditLog.after}, '$.diedAt') = ${row.updatedAt}`,
        ),
      )
      .get();
    if (seen) return false;
    this.db
      .insert(auditLog)
      .values({
        at,
        actor: 'relay',
        entity: 'outbox',
        entityId: row.id,
        action: 'dead_letter_alert',
        before: null,
        after: { diedAt: row.updatedAt, channel: row.channel, purpose: row.purpose },
      })
      .run();
    return true;
  }

  /**
   * The newest batch of rows of `purpose` that share one `payload.params.slot` (an alert sent to several
   * admins at once), or an empty list when there is none.
   */
  latestSlot(purpose: string): OutboxRow[] {
    const slot = sql`json_extract(${outbox.payload}, '$.params.slot')`;
    const newest = this.db
      .select({ slot: sql<number | null>`max(${slot})` })
      .from(outbox)
      .where(eq(outbox.purpose, purpose))
      .get()?.slot;
    if (newest === null || newest === undefined) return [];
    return this.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.purpose, purpose), sql`${slot} = ${newest}`))
      .orderBy(asc(outbox.id))
      .all();
  }

  /** Replaces the payload of a row no relay holds yet (pending, no live lease); false when it is too late. */
  updatePendingPayload(id: string, payload: MessagePayload, now: number): boolean {
    const r = this.db
      .update(outbox)
      .set({ payload: MessagePayload.parse(payload), updatedAt: now })
      .where(
        and(
          eq(outbox.id, id),
          eq(outbox.status, 'pending'),
          or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
        ),
      )
      .run();
    return r.changes === 1;
  }
}
