import { z } from 'zod';
import { MessagePayload } from '../messages.js';
import { NEED_AREAS, NEED_SEVERITIES } from './taxonomy.js';

// The contract between the pure engine and the shell (services, adapters, timers). The engine imports no SDK,
// database, clock or i18next: it takes a session, an input and `now`, and returns the next session and effects.

/** A student as a script sees them. Example: `{ id: 'S-1001', firstName: 'Ana', grade: '7' }`. */
export const ScriptStudent = z.object({
  id: z.string(),
  firstName: z.string(),
  grade: z.string(),
  /** What the family said this week, shown to the navigator ("Family said: food — 2 days ago"). */
  familyNote: z.object({ key: z.string(), params: z.record(z.string(), z.string()).optional() }).optional(),
});
export type ScriptStudent = z.infer<typeof ScriptStudent>;

/** What a conversation is about, fixed when it starts. */
export const DialogContext = z.object({
  kind: z.enum(['navigator', 'family']),
  /** Staff id (navigator) or guardian id (family). */
  participantId: z.string(),
  locale: z.string(),
  /** ISO week, e.g. '2026-W48'. */
  period: z.string(),
  /** Week of the programme, 1-based: scripts scaffold by it (full guidance in week 1, lighter later). */
  programWeek: z.number().int().min(1),
  /** The navigator's caseload, or the guardian's children, in the order they are taken. */
  students: z.array(ScriptStudent),
});
export type DialogContext = z.infer<typeof DialogContext>;

/** Something that happened in a conversation. */
export const DialogInput = z.discriminatedUnion('kind', [
  /** Buttons or checkboxes: one or more option ids. */
  z.object({ kind: z.literal('choice'), choiceIds: z.array(z.string()) }),
  /** A typed reply (Slack/Teams message, SMS body). Understood forgivingly: '1', ' 1.', '1,3', words. */
  z.object({ kind: z.literal('text'), text: z.string() }),
  /** The wait's timer fired (e.g. no reply after 24 h: a reminder path). */
  z.object({ kind: z.literal('timeout') }),
  /**
   * A scheduled nudge (the week's planned reminder): send the script's reminder text and ask the current
   * question again, even when paused; unpauses. No effect on a completed or expired session.
   */
  z.object({ kind: z.literal('remind') }),
  /** The check-in's period is over: the session ends and open check-ins become missed. */
  z.object({ kind: z.literal('expire') }),
  /** Navigator actions outside the current question. */
  z.object({
    kind: z.literal('command'),
    command: z.enum(['stop', 'resume', 'skip_student', 'ask_counselor', 'goto_student']),
    studentId: z.string().optional(),
    note: z.string().optional(),
  }),
]);
export type DialogInput = z.infer<typeof DialogInput>;

/** The question as asked, so an answer keeps its wording even after the script changes. */
export const AskedQuestion = z.object({
  key: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type AskedQuestion = z.infer<typeof AskedQuestion>;

/** What the shell must do. Applied by services in one transaction (sends go through the outbox). */
export const Effect = z.discriminatedUnion('type', [
  /** Send a message to the participant. Example: `{ type: 'send', stepId: 'how', message: { key: 'family.how', ... } }`. */
  z.object({
    type: z.literal('send'),
    stepId: z.string(),
    studentId: z.string().optional(),
    message: MessagePayload,
  }),
  /** Wait for a reply; after `timeoutMs` the shell resumes with `{ kind: 'timeout' }` (unless the session moved on). */
  z.object({ type: z.literal('wait'), stepId: z.string(), timeoutMs: z.number().int().positive() }),
  /** Store an answer with the question's snapshot. */
  z.object({
    type: z.literal('record_answer'),
    stepId: z.string(),
    studentId: z.string().optional(),
    question: AskedQuestion,
    value: z.unknown(),
    rawText: z.string().optional(),
  }),
  /** Record (or update the open) need for a student and area. */
  z.object({
    type: z.literal('record_need'),
    studentId: z.string(),
    area: z.enum(NEED_AREAS),
    severity: z.enum(NEED_SEVERITIES),
    tier: z.number().int().min(1).max(3).optional(),
    question: AskedQuestion.optional(),
    answerText: z.string().optional(),
    note: z.string().optional(),
  }),
  /** Record a strength, interest or something to celebrate. */
  z.object({
    type: z.literal('record_strength'),
    studentId: z.string(),
    kind: z.enum(['strength', 'interest', 'celebration']),
    text: z.string(),
  }),
  /** Hand off to a counselor. `urgent` for crisis triggers. */
  z.object({
    type: z.literal('escalate'),
    studentId: z.string().optional(),
    trigger: z.string(),
    urgent: z.boolean(),
    note: z.string().optional(),
  }),
  /** A student's check-in (navigator) or the guardian's check-in (family, no studentId) changed status. */
  z.object({
    type: z.literal('checkin_status'),
    studentId: z.string().optional(),
    status: z.enum(['in_progress', 'completed', 'skipped', 'missed']),
  }),
  /** The conversation is over. */
  z.object({ type: z.literal('complete') }),
  /** A recoverable problem, with a string code such as 'script:missing_step'. */
  z.object({ type: z.literal('error'), code: z.string(), detail: z.string().optional() }),
]);
export type Effect = z.infer<typeof Effect>;
