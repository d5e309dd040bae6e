import { z } from 'zod';
import type { QuestionAt } from '../../services/navigator-conversation.js';

// What an Adaptive Card button submits (Action.Submit `data`, merged by Teams with the card's inputs). The
// question a button belongs to travels with it, so an old card never answers a newer question.

const Question = { sid: z.string(), step: z.string(), st: z.string().optional() };

/**
 * A card action as Teams posts it back in `activity.value`. Example:
 * `{ a: 'choice', sid: 'a1b2…', step: 'wellbeing', st: 'S-1', c: 'good' }`; the checklist's Done carries
 * `picked: 'food,housing'` (Input.ChoiceSet joins the ticked ids with commas), a note `note: '…'`.
 */
export const CardAction = z.discriminatedUnion('a', [
  z.object({ a: z.literal('choice'), ...Question, c: z.string() }),
  z.object({ a: z.literal('done'), ...Question, picked: z.string().optional() }),
  z.object({ a: z.literal('note'), ...Question, note: z.string().optional() }),
  z.object({ a: z.literal('stop') }),
  z.object({ a: z.literal('start') }),
  z.object({ a: z.literal('counselor'), st: z.string().optional(), note: z.string().optional() }),
  // A button of an escalation alert: `e` is the escalation's id, `do` what to do; the inputs of the
  // alert's Add note, Reassign and Resolve panels arrive beside them (ids in ALERT_INPUT).
  z.object({
    a: z.literal('alert'),
    e: z.string().min(1),
    do: z.enum(['claim', 'acknowledge', 'note', 'reassign', 'resolve', 'details']),
    alertNote: z.string().optional(),
    alertTo: z.string().optional(),
    alertOutcome: z.string().optional(),
    alertResolveNote: z.string().optional(),
  }),
]);
export type CardAction = z.infer<typeof CardAction>;

/** Input ids on a check-in card: Teams puts their values beside the button's data. */
export const INPUT = { picked: 'picked', note: 'note' } as const;

/** Input ids on an escalation alert's panels (each panel its own ids, so one never fills another). */
export const ALERT_INPUT = {
  note: 'alertNote',
  to: 'alertTo',
  outcome: 'alertOutcome',
  resolveNote: 'alertResolveNote',
} as const;

/** An alert's button as Teams posts it back. */
export type AlertCardAction = Extract<CardAction, { a: 'alert' }>;

/** Reads `activity.value`; null when it is not one of ours (another app's card, or tampered with). */
export function cardAction(value: unknown): CardAction | null {
  const parsed = CardAction.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The question a card was rendered for, in the conversation service's terms. */
export function questionOf(action: { sid: string; step: string; st?: string | undefined }): QuestionAt {
  return { sessionId: action.sid, stepId: action.step, ...(action.st ? { studentId: action.st } : {}) };
}
