import { z } from 'zod';
import { Section } from './script.js';
import { SESSION_STATUSES } from './taxonomy.js';
import { DialogContext } from './types.js';

/** Where a student's check-in stands inside one session. */
export const StudentProgress = z.enum(['pending', 'in_progress', 'completed', 'skipped']);
export type StudentProgress = z.infer<typeof StudentProgress>;

/**
 * A running conversation as plain JSON (stored in dialog_sessions.state). Example position:
 * `{ section: 'student', stepId: 'needs', studentIndex: 2 }` — the third student's needs question.
 */
export const Session = z.object({
  scriptId: z.string(),
  scriptVersion: z.number().int(),
  status: z.enum(SESSION_STATUSES),
  /** Bumped on every change; a timer set for an older version is stale. */
  version: z.number().int().min(1),
  context: DialogContext,
  /** The question being asked (while active the position is always a question). */
  position: z.object({ section: Section, stepId: z.string(), studentIndex: z.number().int().min(0) }),
  /** A sitting ended (stop, or reminders used up): no timer runs, the place is kept. */
  paused: z.boolean(),
  /** Answers by step id ('how') or per student ('S-1/how'), for branching. */
  answers: z.record(z.string(), z.unknown()),
  students: z.record(z.string(), StudentProgress),
  /** Unreadable replies to the current question (asked again once, then kept as a note). */
  attempts: z.number().int().min(0),
  /** Reminders sent for the current question. */
  reminders: z.number().int().min(0),
  /** 'studentId/area' already recorded in this session: a need is recorded once per student and area. */
  needsRecorded: z.array(z.string()),
  startedAt: z.number(),
  updatedAt: z.number(),
});
export type Session = z.infer<typeof Session>;

/** Validates a stored session (throws a ZodError naming the bad field when the JSON is not a session). */
export function parseSession(json: unknown): Session {
  return Session.parse(typeof json === 'string' ? JSON.parse(json) : json);
}

/** Like parseSession, but returns null instead of throwing. */
export function safeParseSession(json: unknown): Session | null {
  try {
    return parseSession(json);
  } catch {
    return null;
  }
}
