import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import {
  CHECKIN_KINDS,
  CHECKIN_STATUSES,
  ESCALATION_STATUSES,
  NEED_AREAS,
  NEED_SEVERITIES,
  NEED_SOURCES,
  NEED_STATUSES,
  SESSION_STATUSES,
} from '../../vocabulary.js';
import { guardians, staff, students } from './roster.js';

/** A running conversation of the dialog engine, stored as plain serialised data. */
export const dialogSessions = sqliteTable(
  'dialog_sessions',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: CHECKIN_KINDS }).notNull(),
    /** Staff id for navigator sessions, guardian id for family sessions. */
    participantId: text('participant_id').notNull(),
    channel: text('channel').notNull(),
    scriptId: text('script_id').notNull(),
    scriptVersion: integer('script_version').notNull(),
    /** Bumped on every change; timers carry the version they were set for. */
    version: integer('version').notNull().default(1),
    status: text('status', { enum: SESSION_STATUSES }).notNull().default('active'),
    period: text('period').notNull(),
    state: text('state', { mode: 'json' }).notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('sessions_participant_idx').on(t.participantId, t.status),
    // One running conversation per person and week, even when a prompt and a click race.
    uniqueIndex('sessions_active_week_uq')
      .on(t.participantId, t.kind, t.period)
      .where(sql`${t.status} = 'active'`),
  ],
);

/** One check-in per student per navigator per week, and one per guardian per week. */
export const checkins = sqliteTable(
  'checkins',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: CHECKIN_KINDS }).notNull(),
    /** ISO week in the school's time zone, e.g. 2026-W48. */
    period: text('period').notNull(),
    /** 'nav:<navigatorId>:<studentId>' or 'fam:<guardianId>': what makes the check-in unique in its period. */
    subject: text('subject').notNull(),
    studentId: text('student_id').references(() => students.id),
    navigatorId: text('navigator_id').references(() => staff.id),
    guardianId: text('guardian_id').references(() => guardians.id),
    status: text('status', { enum: CHECKIN_STATUSES }).notNull().default('pending'),
    sessionId: text('session_id'),
    startedAt: integer('started_at'),
    completedAt: integer('completed_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('checkins_period_subject_uq').on(t.period, t.subject),
    index('checkins_navigator_idx').on(t.navigatorId, t.period),
    index('checkins_student_idx').on(t.studentId, t.period),
    // The digest counts a week's check-ins by navigator and looks up caseload students from the index alone.
    index('checkins_navigator_week_idx').on(t.navigatorId, t.period, t.kind, t.studentId, t.status, t.id),
  ],
);

/** An answer, with a snapshot of the question exactly as it was asked. */
export const answers = sqliteTable(
  'answers',
  {
    id: text('id').primaryKey(),
    checkinId: text('checkin_id').references(() => checkins.id),
    sessionId: text('session_id').notNull(),
    studentId: text('student_id').references(() => students.id),
    stepId: text('step_id').notNull(),
    questionKey: text('question_key').notNull(),
    questionText: text('question_text').notNull(),
    locale: text('locale').notNull(),
    scriptId: text('script_id').notNull(),
    scriptVersion: integer('script_version').notNull(),
    value: text('value', { mode: 'json' }),
    rawText: text('raw_text'),
    answeredBy: text('answered_by').notNull(),
    answeredAt: integer('answered_at').notNull(),
  },
  (t) => [
    index('answers_student_idx').on(t.studentId, t.answeredAt),
    index('answers_checkin_idx').on(t.checkinId),
    // The digest reads each check-in's latest answer to a step (did the navigator connect?) from the index alone.
    index('answers_checkin_step_idx').on(t.checkinId, t.stepId, t.answeredAt, t.value),
    // Families' replies in a week: answers by 'guardian:<id>'.
    index('answers_by_idx').on(t.answeredBy, t.answeredAt),
    // A district's not-reached check-ins are found from their few `connect` answers.
    index('answers_step_value_idx').on(t.stepId, t.value, t.checkinId, t.answeredAt),
  ],
);

/** A structured need. At most one open need per student and area: a repeated report updates it. */
export const needs = sqliteTable(
  'needs',
  {
    id: text('id').primaryKey(),
    studentId: text('student_id')
      .notNull()
      .references(() => students.id),
    area: text('area', { enum: NEED_AREAS }).notNull(),
    severity: text('severity', { enum: NEED_SEVERITIES }).notNull(),
    /** MTSS tier: 1 universal, 2 targeted, 3 intensive. */
    tier: integer('tier').notNull().default(1),
    source: text('source', { enum: NEED_SOURCES }).notNull(),
    status: text('status', { enum: NEED_STATUSES }).notNull().default('identified'),
    questionKey: text('question_key'),
    questionText: text('question_text'),
    answerText: text('answer_text'),
    note: text('note'),
    raisedBy: text('raised_by').notNull(),
    referralServiceId: text('referral_service_id'),
    timesReported: integer('times_reported').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('needs_open_student_area_uq')
      .on(t.studentId, t.area)
      .where(sql`${t.status} not in ('resolved', 'declined')`),
    index('needs_status_idx').on(t.status),
    index('needs_student_idx').on(t.studentId),
  ],
);

/** Strengths, interests and things to celebrate: plans build on assets, not only deficits. */
export const strengths = sqliteTable(
  'strengths',
  {
    id: text('id').primaryKey(),
    studentId: text('student_id')
      .notNull()
      .references(() => students.id),
    kind: text('kind', { enum: ['strength', 'interest', 'celebration'] }).notNull(),
    text: text('text').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [index('strengths_student_idx').on(t.studentId)],
);

/** A hand-off to a counselor for anything beyond a navigator's training. */
export const escalations = sqliteTable(
  'escalations',
  {
    id: text('id').primaryKey(),
    studentId: text('student_id').references(() => students.id),
    guardianId: text('guardian_id').references(() => guardians.id),
    /** self_harm, abuse_neglect, mental_health_crisis, violence, housing_loss, no_food, medical, substance_use, navigator_request. */
    trigger: text('trigger').notNull(),
    urgent: integer('urgent', { mode: 'boolean' }).notNull().default(false),
    source: text('source', { enum: NEED_SOURCES }).notNull(),
    raisedBy: text('raised_by').notNull(),
    status: text('status', { enum: ESCALATION_STATUSES }).notNull().default('open'),
    /** Minimum-necessary summary for shared channels: no names, no message bodies. */
    summary: text('summary').notNull(),
    /** The full note, shown only to the assigned counselor. */
    note: text('note'),
    counselorId: text('counselor_id').references(() => staff.id),
    dueAt: integer('due_at'),
    /** How it was closed: connected_to_service, handled_in_school, referred_outside, no_action_needed. */
    outcome: text('outcome'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('escalations_status_idx').on(t.status, t.dueAt),
    index('escalations_student_idx').on(t.studentId),
  ],
);

/**
 * What staff wrote on an escalation. A table of its own rather than audit entries: notes are part of the case
 * (shown in the private view, kept as long as the case), while the audit log says who did what and is pruned
 * on its own schedule; the audit entry of a note names the note, never its words.
 */
export const escalationNotes = sqliteTable(
  'escalation_notes',
  {
    id: text('id').primaryKey(),
    escalationId: text('escalation_id')
      .notNull()
      .references(() => escalations.id),
    authorId: text('author_id')
      .notNull()
      .references(() => staff.id),
    text: text('text').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('escalation_notes_escalation_idx').on(t.escalationId, t.createdAt)],
);
