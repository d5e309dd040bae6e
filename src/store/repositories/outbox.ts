import { and, asc, desc, eq, getTableColumns, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { MessageOrigin, MessagePayload } from '../../messages.js';
import type { DbOrTx } from '../db.js';
import { CHANNELS, OUTBOX_STATUSES, type outbox } from '../schema/index.js';
import { Repository } from '../store.js';

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
  origin: MessageOrigin.optional(),
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
export class OutboxRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  /**
   * Writes a message in the caller's transaction (or on the database). Insert-or-ignore on the idempotency
   * key: returns the new row's id, or null when a row with that key exists already.
   */
  static enqueue(tx: DbOrTx, message: NewOutboxMessage): Promise<string | null> {
    return new OutboxRepository(tx).enqueue(message);
  }

  /** Same as the static form, on this repository's database or transaction. */
  async enqueue(message: NewOutboxMessage): Promise<string | null> {
    const m = NewOutboxMessage.parse(message);
    const inserted = await this.insertQuery().execute({
      id: m.id,
      idempotencyKey: m.idempotencyKey,
      channel: m.channel,
      recipientKind: m.recipientKind,
      recipientId: m.recipientId,
      address: m.address,
      purpose: m.purpose,
      locale: m.locale,
      payload: m.payload,
      origin: m.origin ?? null,
      body: m.body ?? null,
      urgent: m.urgent ?? false,
      notBefore: m.notBefore ?? m.createdAt,
      createdAt: m.createdAt,
      updatedAt: m.createdAt,
    });
    return inserted[0]?.id ?? null;
  }

  // Every message the service sends is written here (a week's send-out is one per family): compiled once.
  private insertQuery() {
    const { outbox } = this.t;
    const p = (name: string) => sql.placeholder(name);
    return this.prepared<{ id: string }[]>('outbox_enqueue', () =>
      this.db
        .insert(outbox)
        .values({
          id: p('id'),
          idempotencyKey: p('idempotencyKey'),
          channel: p('channel'),
          recipientKind: p('recipientKind'),
          recipientId: p('recipientId'),
          address: p('address'),
          purpose: p('purpose'),
          locale: p('locale'),
          payload: p('payload'),
          origin: p('origin'),
          body: p('body'),
          urgent: p('urgent'),
          notBefore: p('notBefore'),
          createdAt: p('createdAt'),
          updatedAt: p('updatedAt'),
        })
        .onConflictDoNothing({ target: outbox.idempotencyKey })
        .returning({ id: outbox.id }),
    );
  }

  async get(id: string): Promise<OutboxRow | undefined> {
    const { outbox } = this.t;
    return (await this.db.select().from(outbox).where(eq(outbox.id, id)))[0];
  }

  async getByKey(idempotencyKey: string): Promise<OutboxRow | undefined> {
    const { outbox } = this.t;
    return (await this.db.select().from(outbox).where(eq(outbox.idempotencyKey, idempotencyKey)))[0];
  }

  /**
   * Leases up to `limit` due rows in ONE statement (UPDATE ... WHERE id IN (SELECT ...) RETURNING), so two
   * relays never hold the same row. Due: pending with notBefore <= now and no live lease, or a 'sending'
   * row whose lease expired (its relay died mid-send). The status is left as it was: 'sending' in the
   * returned row tells the caller the previous attempt may have reached the platform.
   */
  async claimDue(now: number, owner: string, leaseMs: number, limit: number): Promise<ClaimedOutboxRow[]> {
    const { outbox } = this.t;
    const due = this.dialect.claimable(
      this.db
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          or(
            and(
              eq(outbox.status, 'pending'),
              lte(outbox.notBefore, now),
              // A row held for its turn keeps its relay's lease: that relay reserved the token it waits for.
              or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now), eq(outbox.leaseOwner, owner)),
            ),
            and(eq(outbox.status, 'sending'), lt(outbox.leaseUntil, now)),
          ),
        )
        .orderBy(asc(outbox.notBefore), this.dialect.insertionOrder(outbox))
        .limit(limit),
    );
    // An update returns its rows in no set order: the insertion order comes back with them, so messages of
    // one moment (a STOP confirmation, then the crisis reply) go out in the order they were written.
    const rows = await this.db
      .update(outbox)
      .set({ leaseOwner: owner, leaseUntil: now + leaseMs })
      .where(inArray(outbox.id, due))
      .returning({
        ...getTableColumns(outbox),
        position: this.dialect.insertionOrder(outbox).mapWith(Number),
      });
    return rows
      .sort((a, b) => a.notBefore - b.notBefore || a.createdAt - b.createdAt || a.position - b.position)
      .map(({ position: _, ...r }) => ({
        ...r,
        uncertain: r.status === 'sending' || (r.lastError?.startsWith(MAYBE_DELIVERED_PREFIX) ?? false),
      }));
  }

  /**
   * Records, durably and before the platform call, that an attempt starts: status 'sending', attempts + 1.
   * Returns false when the lease is no longer ours (the caller must not send).
   */
  async markAttempt(id: string, owner: string, now: number, leaseUntil: number): Promise<boolean> {
    const { outbox } = this.t;
    const r = await this.db
      .update(outbox)
      .set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, leaseUntil, updatedAt: now })
      .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, owner)));
    return this.dialect.affected(r) === 1;
  }

  /** The platform accepted the message. */
  async markSent(id: string, now: number, providerMessageId: string | null): Promise<void> {
    const { outbox } = this.t;
    await this.db
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
      .where(eq(outbox.id, id));
  }

  /** Back to pending with a later notBefore: held by quiet hours, rate-limited, or waiting to retry. */
  async reschedule(
    id: string,
    now: number,
    notBefore: number,
    lastError?: string,
    keep?: { owner: string; until: number },
  ): Promise<void> {
    const { outbox } = this.t;
    await this.db
      .update(outbox)
      .set({
        status: 'pending',
        notBefore,
        updatedAt: now,
        leaseOwner: keep?.owner ?? null,
        leaseUntil: keep?.until ?? null,
        ...(lastError !== undefined ? { lastError } : {}),
      })
      .where(eq(outbox.id, id));
  }

  /** Ends a row as 'failed' (permanent platform error) or 'dead' (attempts exhausted), with a reason. */
  async finish(id: string, now: number, status: 'failed' | 'dead', reason: string): Promise<void> {
    const { outbox } = this.t;
    await this.db
      .update(outbox)
      .set({ status, lastError: reason, updatedAt: now, leaseOwner: null, leaseUntil: null })
      .where(eq(outbox.id, id));
  }

  /** An admin's retry: a dead or failed row goes back to pending with fresh attempts. */
  async retry(id: string, now: number): Promise<boolean> {
    const { outbox } = this.t;
    const r = await this.db
      .update(outbox)
      .set({
        status: 'pending',
        attempts: 0,
        notBefore: now,
        updatedAt: now,
        leaseOwner: null,
        leaseUntil: null,
      })
      .where(and(eq(outbox.id, id), inArray(outbox.status, ['dead', 'failed'])));
    return this.dialect.affected(r) === 1;
  }

  /** A platform's later delivery report (e.g. Twilio status callback) by its message id. */
  async recordProviderStatus(
    providerMessageId: string,
    providerStatus: string,
    now: number,
  ): Promise<boolean> {
    const { outbox } = this.t;
    const delivered = providerStatus === 'delivered';
    const r = await this.db
      .update(outbox)
      .set({ providerStatus, updatedAt: now, ...(delivered ? { status: 'delivered' as const } : {}) })
      .where(eq(outbox.providerMessageId, providerMessageId));
    return this.dialect.affected(r) > 0;
  }

  /** Newest rows first, optionally of one status. */
  async list(options: { status?: OutboxStatus; limit?: number } = {}): Promise<OutboxRow[]> {
    const { outbox } = this.t;
    return await this.db
      .select()
      .from(outbox)
      .where(options.status ? eq(outbox.status, options.status) : undefined)
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(options.limit ?? 50);
  }

  /** Row counts per status (all statuses present, zero when none). */
  async countByStatus(): Promise<Record<OutboxStatus, number>> {
    const { outbox } = this.t;
    const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
    const rows = await this.db
      .select({ status: outbox.status, n: sql<number>`count(*)`.mapWith(Number) })
      .from(outbox)
      .groupBy(outbox.status);
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  /** Time zones of the given guardians, for quiet hours. */
  async guardianTimezones(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const { guardians } = this.t;
    const rows = await this.db
      .select({ id: guardians.id, timezone: guardians.timezone })
      .from(guardians)
      .where(inArray(guardians.id, ids));
    return new Map(rows.map((r) => [r.id, r.timezone]));
  }

  /**
   * Audit record for a message sent inside quiet hours, with why (`urgent`, or `reply` to the family's own
   * text). No body, no address.
   */
  async recordQuietHoursBypass(
    row: Pick<OutboxRow, 'id' | 'purpose' | 'recipientId'>,
    at: number,
    actor: string,
    reason: 'urgent' | 'reply',
  ): Promise<void> {
    const { auditLog } = this.t;
    await this.db.insert(auditLog).values({
      at,
      actor,
      entity: 'outbox',
      entityId: row.id,
      action: 'quiet_hours_bypass',
      before: null,
      after: { purpose: row.purpose, guardianId: row.recipientId, reason },
    });
  }

  /**
   * Records, once per death of a row (its id and the time it died), that an admin alert was raised for it.
   * Returns false when it was recorded already (the alert callback ran twice). Ids only: no body, no address.
   */
  async recordDeadLetterAlert(
    row: Pick<OutboxRow, 'id' | 'channel' | 'purpose' | 'updatedAt'>,
    at: number,
  ): Promise<boolean> {
    const { auditLog } = this.t;
    const [seen] = await this.db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.entity, 'outbox'),
          eq(auditLog.entityId, row.id),
          eq(auditLog.action, 'dead_letter_alert'),
          eq(this.dialect.jsonNumber(auditLog.after, '$.diedAt'), row.updatedAt),
        ),
      )
      .limit(1);
    if (seen) return false;
    await this.db.insert(auditLog).values({
      at,
      actor: 'relay',
      entity: 'outbox',
      entityId: row.id,
      action: 'dead_letter_alert',
      before: null,
      after: { diedAt: row.updatedAt, channel: row.channel, purpose: row.purpose },
    });
    return true;
  }

  /**
   * The newest batch of rows of `purpose` that share one `payload.params.slot` (an alert sent to several
   * admins at once), or an empty list when there is none.
   */
  async latestSlot(purpose: string): Promise<OutboxRow[]> {
    const { outbox } = this.t;
    const slot = this.dialect.jsonNumber(outbox.payload, '$.params.slot');
    const newest = (
      await this.db
        .select({ slot: sql<number | null>`max(${slot})`.mapWith(Number) })
        .from(outbox)
        .where(eq(outbox.purpose, purpose))
    )[0]?.slot;
    if (newest === null || newest === undefined) return [];
    return await this.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.purpose, purpose), eq(slot, newest)))
      .orderBy(asc(outbox.id));
  }

  /** Replaces the payload of a row no relay holds yet (pending, no live lease); false when it is too late. */
  async updatePendingPayload(id: string, payload: MessagePayload, now: number): Promise<boolean> {
    const { outbox } = this.t;
    const r = await this.db
      .update(outbox)
      .set({ payload: MessagePayload.parse(payload), updatedAt: now })
      .where(
        and(
          eq(outbox.id, id),
          eq(outbox.status, 'pending'),
          or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
        ),
      );
    return this.dialect.affected(r) === 1;
  }
}
