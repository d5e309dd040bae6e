import { z } from 'zod';

/** A parameter value inside a message: rendered as is, or looked up as a text key when `{ key }`. */
export const MessageParam = z.union([z.string(), z.number(), z.object({ key: z.string() })]);
export type MessageParam = z.infer<typeof MessageParam>;

/** One answer option offered with a message. Example: `{ id: '1', labelKey: 'family.how.good' }`. */
export const MessageChoice = z.object({
  id: z.string(),
  labelKey: z.string(),
  params: z.record(z.string(), MessageParam).optional(),
});
export type MessageChoice = z.infer<typeof MessageChoice>;

/**
 * What to say, as text keys and parameters, never as rendered text: each channel renders it in the
 * recipient's language. Example: `{ key: 'family.how_is', params: { child: 'Ana' }, choices: [...] }`.
 */
export const MessagePayload = z.object({
  key: z.string(),
  params: z.record(z.string(), MessageParam).optional(),
  choices: z.array(MessageChoice).optional(),
  /** Several choices may be picked (a needs checklist). */
  multiple: z.boolean().optional(),
  /** Extra keys rendered after the main text, e.g. an icebreaker idea or a hint. */
  extraKeys: z.array(z.string()).optional(),
});
export type MessagePayload = z.infer<typeof MessagePayload>;

/**
 * What an outbound message belongs to, stored with it so a channel can tie a click or a reply back to the
 * conversation step, student or escalation without parsing keys or matching names.
 * Example: `{ sessionId: 's-1', sessionVersion: 3, stepId: 'wellbeing', studentId: 'S-1001' }`.
 */
export const MessageOrigin = z.object({
  sessionId: z.string().optional(),
  sessionVersion: z.number().int().optional(),
  stepId: z.string().optional(),
  studentId: z.string().optional(),
  escalationId: z.string().optional(),
});
export type MessageOrigin = z.infer<typeof MessageOrigin>;
