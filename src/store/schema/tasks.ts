import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { guardians, staff, students } from './roster.js';

/** What a navigator has been asked to do; today only a family's request for a call. */
export const NAVIGATOR_TASK_KINDS = ['call_request'] as const;
export type NavigatorTaskKind = (typeof NAVIGATOR_TASK_KINDS)[number];

export const NAVIGATOR_TASK_STATUSES = ['open', 'done'] as const;
export type NavigatorTaskStatus = (typeof NAVIGATOR_TASK_STATUSES)[number];

/**
 * Something a navigator owes a family, with a deadline. A table of its own rather than a need or an
 * escalation: it is the navigator's to do (not a counselor's), it is done or not (no lifecycle), and an undone
 * one at its deadline goes to the lead navigator. `sourceKey` makes creating it idempotent: the same answer
 * read twice makes one task.
 */
export const navigatorTasks = sqliteTable(
  'navigator_tasks',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: NAVIGATOR_TASK_KINDS }).notNull(),
    navigatorId: text('navigator_id')
      .notNull()
      .references(() => staff.id),
    studentId: text('student_id').references(() => students.id),
    guardianId: text('guardian_id').references(() => guardians.id),
    sourceKey: text('source_key').notNull(),
    status: text('status', { enum: NAVIGATOR_TASK_STATUSES }).notNull().default('open'),
    dueAt: integer('due_at').notNull(),
    createdAt: integer('created_at').notNull(),
    doneAt: integer('done_at'),
    doneBy: text('done_by'),
  },
  (t) => [
    uniqueIndex('navigator_tasks_source_idx').on(t.sourceKey),
    index('navigator_tasks_navigator_idx').on(t.navigatorId, t.status),
  ],
);
