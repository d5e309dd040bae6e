import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { guardians } from './roster.js';

/**
 * Phone numbers that said STOP (to us, to the carrier, or through Twilio Advanced Opt-Out). An opt-out
 * belongs to the number, not to a guardian row: a guardian imported later with the same number, or a number
 * that was not on the roster when it said STOP, is not texted either. START removes the number.
 */
export const smsOptOuts = sqliteTable('sms_opt_outs', {
  /** E.164, as Twilio reports the sender. */
  phone: text('phone').primaryKey(),
  /** 'sms_keyword', 'advanced_opt_out', 'carrier_block'. */
  source: text('source').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** A text a family sent outside any check-in, kept for the navigator so nothing a family says is lost. */
export const familyMessages = sqliteTable(
  'family_messages',
  {
    id: text('id').primaryKey(),
    guardianId: text('guardian_id')
      .notNull()
      .references(() => guardians.id),
    body: text('body').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('family_messages_guardian_idx').on(t.guardianId, t.receivedAt)],
);
