import { z } from 'zod';
import type { QuestionAt } from '../../services/navigator-conversation.js';

/** Action and view ids the Slack adapter renders and listens for. */
export const ACTION = {
  choice: 'checkin.choice',
  /** Checkbox groups: `checkin.pick.0`, `checkin.pick.1` (a group holds at most ten options). */
  pick: 'checkin.pick',
  done: 'checkin.done',
  note: 'checkin.note',
  counselor: 'checkin.counselor',
  stop: 'checkin.stop',
  resume: 'checkin.resume',
  student: 'checkin.student',
  oooSet: 'home.ooo_set',
  oooClear: 'home.ooo_clear',
  alertClaim: 'alert.claim',
  alertAcknowledge: 'alert.acknowledge',
  alertNote: 'alert.note',
  alertReassign: 'alert.reassign',
  alertResolve: 'alert.resolve',
  alertDetails: 'alert.details',
} as const;

export const VIEW = {
  note: 'checkin.note_modal',
  counselor: 'checkin.counselor_modal',
  ooo: 'home.ooo_modal',
  alertNote: 'alert.note_modal',
  alertReassign: 'alert.reassign_modal',
  alertResolve: 'alert.resolve_modal',
  alertDetails: 'alert.details_modal',
} as const;

/**
 * The escalation an alert's button or modal is about (`e`, its id) and, for a modal, the conversation the
 * button was pressed in (`ch`), where the answer is shown. Example: `{ e: 'a1b2…', ch: 'D0123' }`.
 */
export const AlertRef = z.object({ e: z.string().min(1), ch: z.string().optional() });
export type AlertRef = z.infer<typeof AlertRef>;

/**
 * The question a button belongs to: session, step and student. A click is fed to the engine only while the
 * session still waits on that step for that student, so an old button never answers a newer question.
 * Example: `{ sid: 'a1b2…', step: 'wellbeing', st: 'S-1001', c: 'good' }`.
 */
export const QuestionRef = z.object({
  sid: z.string(),
  step: z.string(),
  st: z.string().optional(),
  c: z.string().optional(),
});
export type QuestionRef = z.infer<typeof QuestionRef>;

/** The question a button was rendered for, in the conversation service's terms. */
export function questionAt(ref: QuestionRef): QuestionAt {
  return { sessionId: ref.sid, stepId: ref.step, ...(ref.st ? { studentId: ref.st } : {}) };
}

/** A student action from the caseload list (overflow menu): check in now, ask a counselor, skip this week. */
export const StudentAction = z.object({ a: z.enum(['goto', 'counselor', 'skip']), st: z.string() });
export type StudentAction = z.infer<typeof StudentAction>;

/** What the counselor modal remembers between opening and submitting. */
export const CounselorMeta = z.object({ st: z.string().optional() });

/** Encodes a value for a button or overflow option. */
export function encode<T>(value: T): string {
  return JSON.stringify(value);
}

/** Decodes a button value; null when it is not ours (or was tampered with). */
export function decode<T>(schema: z.ZodType<T>, raw: string | undefined): T | null {
  if (!raw) return null;
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
