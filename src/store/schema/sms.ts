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

/**
 * Every text a family's phone sent, whatever it turned out to mean (a STOP, a crisis, an answer, a note), and
 * also from a number not on the roster: the one record that proves nothing a family writes is dropped.
 * `meaning` is what the service read it as ('opt_out', 'crisis', 'answer', 'note', 'unknown_number', …).
 */
export const familyTexts = sqliteTable(
  'family_texts',
  {
    id: text('id').primaryKey(),
    channel: text('channel').notNull(),
    eventId: text('event_id').notNull(),
    /** Null for a number no guardian has; then `address` is the only way to call back. */
    guardianId: text('guardian_id'),
    address: text('address').notNull(),
    body: text('body').notNull(),
    meaning: text('meaning').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [
    index('family_texts_guardian_idx').on(t.guardianId, t.receivedAt),
    index('family_texts_received_idx').on(t.receivedAt),
  ],
);

/**
 * A phone's pause of routine check-ins ("PAUSE 3"): until `until` no routine text goes to it; replies and
 * urgent texts still do. It ends by itself: every check reads the date, no job has to lift it.
 */
export const smsPauses = sqliteTable('sms_pauses', {
  phone: text('phone').primaryKey(),
  until: integer('until').notNull(),
  weeks: integer('weeks').notNull(),
  createdAt: integer('created_at').notNull(),
});
