import { z } from 'zod';
import { NEED_AREAS, NEED_SEVERITIES } from './taxonomy.js';

// The language scripts are written in. Scripts are data (src/scripts), parsed with these schemas at load and
// checked statically (src/scripts/check.ts); the engine only ever sees a parsed Script.

/** Where a step lives: before the student loop, once per student, or after it. */
export const SECTIONS = ['intro', 'student', 'outro'] as const;
export const Section = z.enum(SECTIONS);
export type Section = z.infer<typeof Section>;

/** Show a step only when an earlier answer (same student first, then the whole session) is, or is not, one of these. */
export const Condition = z
  .object({
    step: z.string(),
    in: z.array(z.string()).optional(),
    notIn: z.array(z.string()).optional(),
  })
  .refine((c) => (c.in ? 1 : 0) + (c.notIn ? 1 : 0) === 1, {
    message: 'a condition needs exactly one of in/notIn',
  });
export type Condition = z.infer<typeof Condition>;

/** What happens when a wait's timer fires: `remind` times a reminder, then pause (keep the place) or move on. */
export const TimeoutPath = z.object({
  remind: z.number().int().min(0).max(3),
  after: z.enum(['pause', 'next']),
});
export type TimeoutPath = z.infer<typeof TimeoutPath>;

/** One answer option. Example: `{ id: 'food', labelKey: 'family.what.food', wordsKey: 'family.words.food', need: { area: 'food_security' } }`. */
export const ScriptOption = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  labelKey: z.string(),
  /** Comma-separated synonyms in each language ("food, comida, hungry"), matched forgivingly. */
  wordsKey: z.string().optional(),
  /** Label parameters (a scale's value). */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** "None of these": dropped when other options are picked too. */
  exclusive: z.boolean().optional(),
  need: z
    .object({
      area: z.enum(NEED_AREAS),
      severity: z.enum(NEED_SEVERITIES).default('medium'),
      tier: z.number().int().min(1).max(3).optional(),
    })
    .optional(),
  escalate: z.object({ trigger: z.string(), urgent: z.boolean() }).optional(),
  /** Branch: the step to go to when this option is chosen (single choice). */
  next: z.string().optional(),
});
export type ScriptOption = z.infer<typeof ScriptOption>;

const stepBase = {
  id: z.string().regex(/^[a-z0-9_]+$/),
  /** Only at these scaffolding levels (e.g. strengths questions in week 1 only). Default: every level. */
  levels: z.array(z.string()).optional(),
  when: Condition.optional(),
  /** Where to go next; default is the following step; 'end' ends the section. */
  next: z.string().optional(),
};

const askBase = {
  ...stepBase,
  key: z.string(),
  /** Suggested wording or tips, per scaffolding level, rendered after the question. */
  guidance: z.record(z.string(), z.array(z.string())).optional(),
  /** Shown once when a reply cannot be read. Default: the script's hint. */
  hintKey: z.string().optional(),
  /** May be skipped with the skip word or button. */
  optional: z.boolean().optional(),
  /** At levels where icebreakers are 'on_request', offer an idea button here. */
  ideaOnRequest: z.boolean().optional(),
  timeoutMs: z.number().int().positive().optional(),
  onTimeout: TimeoutPath.optional(),
};

const optionsStep = { ...askBase, options: z.array(ScriptOption).min(1) };

/** A step of a script. `kind` decides how it asks and what a reply records. */
export const Step = z.discriminatedUnion('kind', [
  /** A message that needs no answer (welcome, tip, thanks). */
  z.object({
    ...stepBase,
    kind: z.literal('info'),
    key: z.string(),
    extraKeys: z.array(z.string()).optional(),
  }),
  /** This week's icebreaker idea, at levels where icebreakers are 'show'. */
  z.object({ ...stepBase, kind: z.literal('icebreaker') }),
  /** The family's note for the current student, when there is one. */
  z.object({ ...stepBase, kind: z.literal('family_note') }),
  z.object({ ...optionsStep, kind: z.literal('choice') }),
  z.object({ ...optionsStep, kind: z.literal('multi') }),
  /** Multiple choice whose options carry need areas: each ticked area becomes a need record. */
  z.object({ ...optionsStep, kind: z.literal('needs') }),
  /** Choice whose options may escalate to a counselor. */
  z.object({ ...optionsStep, kind: z.literal('counselor') }),
  z.object({
    ...askBase,
    kind: z.literal('yes_no'),
    onYes: z.string().optional(),
    onNo: z.string().optional(),
  }),
  z.object({
    ...askBase,
    kind: z.literal('scale'),
    min: z.number().int().min(0),
    max: z.number().int().max(10),
    lowKey: z.string(),
    highKey: z.string(),
  }),
  /** A typed answer; `records` turns it into a strength, interest or celebration. */
  z.object({
    ...askBase,
    kind: z.literal('text'),
    records: z.enum(['strength', 'interest', 'celebration']).optional(),
  }),
  /** Ends the section (for branches that jump here). */
  z.object({ ...stepBase, kind: z.literal('end') }),
]);
export type Step = z.infer<typeof Step>;
export type AskStep = Exclude<Step, { kind: 'info' | 'icebreaker' | 'family_note' | 'end' }>;

/** A scaffolding level, chosen by programme week. Example: `{ id: 'full', fromWeek: 1, icebreaker: 'show' }`. */
export const Level = z.object({
  id: z.string(),
  fromWeek: z.number().int().min(1),
  icebreaker: z.enum(['show', 'on_request', 'off']),
});
export type Level = z.infer<typeof Level>;

/** A whole check-in script. `lexicon` is filled from the locale files at load (locale → words key → words). */
export const Script = z.object({
  id: z.string(),
  version: z.number().int().min(1),
  kind: z.enum(['navigator', 'family']),
  title: z.string(),
  levels: z.array(Level).min(1),
  icebreakers: z.array(z.string()).default([]),
  defaults: z.object({
    timeoutMs: z.number().int().positive().optional(),
    onTimeout: TimeoutPath.optional(),
  }),
  texts: z.object({
    hint: z.string(),
    hintMulti: z.string(),
    reminder: z.string(),
    paused: z.string(),
    counselorRequested: z.string(),
    ideaLabel: z.string().optional(),
    skipLabel: z.string().optional(),
  }),
  words: z.object({
    skip: z.string(),
    idea: z.string().optional(),
    /** Phrases naming where, not what ("at home", "en casa"): ignored when need words are read. */
    places: z.string().optional(),
  }),
  sections: z.object({
    intro: z.array(Step).default([]),
    student: z.array(Step).min(1),
    outro: z.array(Step).default([]),
  }),
  lexicon: z.record(z.string(), z.record(z.string(), z.array(z.string()))).optional(),
});
export type Script = z.infer<typeof Script>;
export type ScriptInput = z.input<typeof Script>;

/** Steps that ask and wait for an answer. */
export function isAskStep(step: Step): step is AskStep {
  return !['info', 'icebreaker', 'family_note', 'end'].includes(step.kind);
}

/** Steps that offer options (everything asking except free text). */
export function isChoiceStep(step: Step): boolean {
  return isAskStep(step) && step.kind !== 'text';
}

/** The scaffolding level for a programme week: the last level whose `fromWeek` has been reached. */
export function levelFor(script: Script, programWeek: number): Level {
  const sorted = [...script.levels].sort((a, b) => a.fromWeek - b.fromWeek);
  return sorted.filter((l) => l.fromWeek <= programWeek).at(-1) ?? sorted[0]!;
}

/** The options a step offers, with built-in options for yes/no and scales. */
export function optionsOf(step: Step): ScriptOption[] {
  switch (step.kind) {
    case 'choice':
    case 'multi':
    case 'needs':
    case 'counselor':
      return step.options;
    case 'yes_no':
      return [
        { id: 'yes', labelKey: 'common.yes', wordsKey: 'common.words.yes', next: step.onYes },
        { id: 'no', labelKey: 'common.no', wordsKey: 'common.words.no', next: step.onNo },
      ];
    case 'scale': {
      const out: ScriptOption[] = [];
      for (let v = step.min; v <= step.max; v++) {
        const labelKey = v === step.min ? step.lowKey : v === step.max ? step.highKey : 'common.scale_value';
        out.push({ id: String(v), labelKey, params: { value: v } });
      }
      return out;
    }
    default:
      return [];
  }
}

/** Whether a step takes several options. */
export function isMultiple(step: Step): boolean {
  return step.kind === 'multi' || step.kind === 'needs';
}

/** Finds a step and its section. */
export function findStep(script: Script, id: string): { step: Step; section: Section } | undefined {
  for (const section of SECTIONS) {
    const step = script.sections[section].find((s) => s.id === id);
    if (step) return { step, section };
  }
  return undefined;
}
