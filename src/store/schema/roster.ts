import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Times are stored as integer milliseconds since the epoch (UTC); days and weeks as ISO strings.

export const STAFF_ROLES = ['navigator', 'lead_navigator', 'counselor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const SMS_STATUSES = ['active', 'opted_out', 'invalid', 'unreachable'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

/** A school, with the time zone its weeks and schedules are reckoned in. */
export const schools = sqliteTable('schools', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull(),
  /** E.164 number families can call (named in the HELP text), or null when the roster gives none. */
  phone: text('phone'),
  /** ISO weekday (1 = Monday) and local time of the weekly navigator prompt. */
  navigatorPromptDay: integer('navigator_prompt_day').notNull().default(1),
  navigatorPromptTime: text('navigator_prompt_time').notNull().default('08:00'),
  /** ISO weekday and local time (family's zone) of the weekly family SMS check-in. */
  familyCheckinDay: integer('family_checkin_day').notNull().default(2),
  familyCheckinTime: text('family_checkin_time').notNull().default('17:00'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** School staff: navigators, lead navigators, counselors and admins. */
export const staff = sqliteTable(
  'staff',
  {
    id: text('id').primaryKey(),
    schoolId: text('school_id').references(() => schools.id),
    name: text('name').notNull(),
    email: text('email').notNull(),
    role: text('role', { enum: STAFF_ROLES }).notNull(),
    slackUserId: text('slack_user_id'),
    teamsUserId: text('teams_user_id'),
    /** Serialised Bot Framework conversation reference, remembered for proactive Teams messages. */
    teamsConversation: text('teams_conversation'),
    timezone: text('timezone').notNull(),
    locale: text('locale').notNull().default('en'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** Out of office, inclusive ISO dates in the staff member's time zone. */
    oooFrom: text('ooo_from'),
    oooTo: text('ooo_to'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('staff_email_idx').on(t.email),
    index('staff_slack_idx').on(t.slackUserId),
    index('staff_teams_idx').on(t.teamsUserId),
  ],
);

/** A student, keyed by the district's student id. */
export const students = sqliteTable(
  'students',
  {
    id: text('id').primaryKey(),
    schoolId: text('school_id')
      .notNull()
      .references(() => schools.id),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    /** 'PK', 'K' or '1'..'12'. */
    grade: text('grade').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('students_school_idx').on(t.schoolId)],
);

/** A parent or guardian, reached by SMS in their home language. */
export const guardians = sqliteTable(
  'guardians',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** E.164, or null when the roster has no reachable number. Two guardians may share one phone. */
    phone: text('phone'),
    locale: text('locale').notNull(),
    timezone: text('timezone').notNull(),
    smsStatus: text('sms_status', { enum: SMS_STATUSES }).notNull().default('active'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('guardians_phone_idx').on(t.phone)],
);

export const studentGuardians = sqliteTable(
  'student_guardians',
  {
    studentId: text('student_id')
      .notNull()
      .references(() => students.id, { onDelete: 'cascade' }),
    guardianId: text('guardian_id')
      .notNull()
      .references(() => guardians.id, { onDelete: 'cascade' }),
    relationship: text('relationship'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.studentId, t.guardianId] }), index('sg_guardian_idx').on(t.guardianId)],
);

/** Caseloads: each student has at most one navigator at a time. */
export const assignments = sqliteTable(
  'assignments',
  {
    studentId: text('student_id')
      .primaryKey()
      .references(() => students.id, { onDelete: 'cascade' }),
    navigatorId: text('navigator_id')
      .notNull()
      .references(() => staff.id),
    assignedAt: integer('assigned_at').notNull(),
  },
  (t) => [index('assignments_navigator_idx').on(t.navigatorId)],
);

export const CONSENT_STATUSES = ['granted', 'revoked'] as const;

/** Consent to be texted: append-only; the newest row for a guardian and channel is in force. */
export const consents = sqliteTable(
  'consents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    guardianId: text('guardian_id')
      .notNull()
      .references(() => guardians.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull().default('sms'),
    status: text('status', { enum: CONSENT_STATUSES }).notNull(),
    /** Where consent came from: roster_import, sms_keyword, staff, web_form. */
    source: text('source').notNull(),
    locale: text('locale').notNull(),
    actor: text('actor').notNull(),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [
    index('consents_guardian_idx').on(t.guardianId, t.channel, t.recordedAt),
    // The digest reads every family's consent in force (newest record first) from the index alone.
    index('consents_guardian_status_idx').on(t.guardianId, t.channel, t.recordedAt, t.id, t.status),
  ],
);

/** Who changed what, when, from what to what. Append-only. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action').notNull(),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
  },
  (t) => [index('audit_entity_idx').on(t.entity, t.entityId), index('audit_at_idx').on(sql`${t.at}`)],
);
