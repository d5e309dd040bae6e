import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { MessageOrigin } from '../../messages.js';

import { CHANNELS } from '../../vocabulary.js';

export { CHANNELS, type Channel } from '../../vocabulary.js';
export const OUTBOX_STATUSES = [
  'pending',
  'sending',
  'sent',
  'delivered',
  'failed',
  'dead',
  'cancelled',
] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * Transactional outbox: every outbound message is written here in the same transaction as the state change
 * that caused it, then sent by the relay.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    /** Unique per (recipient, purpose, period, step): writing the same message twice keeps one row. */
    idempotencyKey: text('idempotency_key').notNull(),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    recipientKind: text('recipient_kind', { enum: ['staff', 'guardian', 'channel'] }).notNull(),
    recipientId: text('recipient_id').notNull(),
    /** Platform address: E.164 phone, Slack channel/user id, Teams conversation id, simulator id. */
    address: text('address').notNull(),
    purpose: text('purpose').notNull(),
    locale: text('locale').notNull(),
    /** Message key, params and choices, as the engine produced them. */
    payload: text('payload', { mode: 'json' }).notNull(),
    /** What the message belongs to (session step, student, escalation); see `MessageOrigin`. */
    origin: text('origin', { mode: 'json' }).$type<MessageOrigin>(),
    /** Rendered text, filled when rendered (SMS: at enqueue, so segments can be counted). */
    body: text('body'),
    /** Urgent messages (a crisis reply) bypass quiet hours; the bypass is audit-logged. */
    urgent: integer('urgent', { mode: 'boolean' }).notNull().default(false),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('pending'),
    notBefore: integer('not_before').notNull(),
    attempts: integer('attempts').notNull().default(0),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    providerStatus: text('provider_status'),
    encoding: text('encoding'),
    segments: integer('segments'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [
    uniqueIndex('outbox_idempotency_uq').on(t.idempotencyKey),
    index('outbox_due_idx').on(t.status, t.notBefore),
    index('outbox_provider_idx').on(t.providerMessageId),
    // Texts handed to the provider for a recipient in a window (the digest's families).
    index('outbox_recipient_sent_idx').on(t.recipientId, t.sentAt),
  ],
);

export const TIMER_STATUSES = ['pending', 'fired', 'cancelled'] as const;

/** One durable timer table: weekly prompts, reminders, expiry, escalation deadlines. */
export const timers = sqliteTable(
  'timers',
  {
    id: text('id').primaryKey(),
    /** navigator_prompt, family_checkin, navigator_reminder, family_reminder, session_expiry, escalation_sla, ... */
    kind: text('kind').notNull(),
    /** Unique per job and period, so scheduling the same thing twice keeps one timer. */
    uniqueKey: text('unique_key').notNull(),
    fireAt: integer('fire_at').notNull(),
    sessionId: text('session_id'),
    /** The session version the timer was set for: a timer for an older version is a no-op. */
    sessionVersion: integer('session_version'),
    payload: text('payload', { mode: 'json' }),
    status: text('status', { enum: TIMER_STATUSES }).notNull().default('pending'),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    createdAt: integer('created_at').notNull(),
    firedAt: integer('fired_at'),
  },
  (t) => [
    uniqueIndex('timers_unique_key_uq').on(t.uniqueKey),
    index('timers_due_idx').on(t.status, t.fireAt),
  ],
);

/** Every inbound platform event, recorded once by its platform id (Twilio MessageSid, Slack event_id, Teams activity id). */
export const inboundEvents = sqliteTable('inbound_events', {
  /** '<channel>:<platform id>'. */
  id: text('id').primaryKey(),
  channel: text('channel', { enum: CHANNELS }).notNull(),
  receivedAt: integer('received_at').notNull(),
  status: text('status', { enum: ['received', 'processed', 'failed'] })
    .notNull()
    .default('received'),
  error: text('error'),
});
