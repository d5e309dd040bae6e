import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { NeedArea } from '../../vocabulary.js';
import { needs } from './checkins.js';
import { guardians, schools } from './roster.js';

/** A referral's lifecycle: referred → connected → receiving → resolved, or declined (with a reason). */
export const REFERRAL_STATUSES = ['referred', 'connected', 'receiving', 'resolved', 'declined'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** What a family answered to the follow-up text: help arrived, or not yet. */
export const FOLLOW_UP_ANSWERS = ['yes', 'not_yet'] as const;
export type FollowUpAnswer = (typeof FOLLOW_UP_ANSWERS)[number];

/**
 * A service a family can be referred to (a food pantry, a clinic, a tutoring programme), from the district's
 * catalog file. The id is the catalog's natural key (its `service_id`, or one made from the name and scope),
 * so importing the same file again finds the same rows.
 */
export const services = sqliteTable(
  'services',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** Need areas of the district's taxonomy the service helps with, e.g. ['food_security']. */
    needAreas: text('need_areas', { mode: 'json' }).$type<NeedArea[]>().notNull(),
    /** How a family or a navigator reaches it: phone, address, web page, as the catalog gives it. */
    contact: text('contact'),
    /** Languages the service speaks: supported locale codes, or the catalog's own words for others. */
    languages: text('languages', { mode: 'json' }).$type<string[]>().notNull(),
    hours: text('hours'),
    notes: text('notes'),
    /** Null: offered district-wide; else only to students of this school. */
    schoolId: text('school_id').references(() => schools.id),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('services_school_idx').on(t.schoolId)],
);

/** A need linked to a service, followed until the family receives help (or declines it). */
export const referrals = sqliteTable(
  'referrals',
  {
    id: text('id').primaryKey(),
    needId: text('need_id')
      .notNull()
      .references(() => needs.id),
    serviceId: text('service_id')
      .notNull()
      .references(() => services.id),
    status: text('status', { enum: REFERRAL_STATUSES }).notNull().default('referred'),
    /** Why the family or the service declined; required with 'declined'. */
    declineReason: text('decline_reason'),
    /** Staff id of who made the referral; who changed it last (a staff id, or 'guardian:<id>' for the family's answer). */
    referredBy: text('referred_by').notNull(),
    updatedBy: text('updated_by').notNull(),
    /** When the family's follow-up text was queued (on 'connected'); null when none went. */
    followUpAt: integer('follow_up_at'),
    followUpAnswer: text('follow_up_answer', { enum: FOLLOW_UP_ANSWERS }),
    followUpAnsweredAt: integer('follow_up_answered_at'),
    followUpGuardianId: text('follow_up_guardian_id').references(() => guardians.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // One open referral per need and service: a second "refer" is the same referral, not a new one.
    uniqueIndex('referrals_open_need_service_uq')
      .on(t.needId, t.serviceId)
      .where(sql`${t.status} not in ('resolved', 'declined')`),
    index('referrals_status_idx').on(t.status),
    index('referrals_need_idx').on(t.needId),
  ],
);
