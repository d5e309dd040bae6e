import { staffText } from '../../i18n/staff.js';
import { type CardModel, type CaseloadEntry, FAMILY_REACH_TEXT, STATUS_TEXT } from '../chat/cards.js';
import { type CardAction, INPUT } from './actions.js';

// Adaptive Cards (schema 1.5, what Teams renders) for navigators. Minimum necessary: a student appears by
// first name and grade only; needs by area.

/** An Adaptive Card as JSON; the SDK sends it as an attachment of this content type. */
export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard' };
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** Choices the engine adds to any question (skip an optional one, ask for an icebreaker idea). */
const SPECIAL = new Set(['skip', 'idea']);

/**
 * Adaptive Card TextBlocks read a little Markdown; texts from locales and people must not turn into it. Teams
 * joins single line breaks, so each one becomes a paragraph break.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_`[\]#>~])/g, '\\$1').replaceAll('\n', '\n\n');
}

function textBlock(text: string, extra: Record<string, unknown> = {}) {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

function submit(title: string, data: CardAction, style?: 'positive') {
  return { type: 'Action.Submit', title, data, ...(style ? { style } : {}) };
}

function inputs(model: CardModel): Record<string, unknown>[] {
  const q = model.question;
  if (!q) return [];
  const { locale, current } = model;
  const real = current.choices.filter((c) => !SPECIAL.has(c.id));
  const special = current.choices
    .filter((c) => SPECIAL.has(c.id))
    .map((c) => submit(c.label, { a: 'choice', ...q, c: c.id }));
  if (real.length === 0)
    return [
      { type: 'Input.Text', id: INPUT.note, isMultiline: true, label: staffText(locale, 'noteLabel') },
      {
        type: 'ActionSet',
        actions: [submit(staffText(locale, 'send'), { a: 'note', ...q }, 'positive'), ...special],
      },
      textBlock(staffText(locale, 'typeOrNote'), { isSubtle: true, size: 'Small' }),
    ];
  if (!model.multiple)
    return [
      {
        type: 'ActionSet',
        actions: current.choices.map((c) => submit(c.label, { a: 'choice', ...q, c: c.id })),
      },
    ];
  return [
    {
      type: 'Input.ChoiceSet',
      id: INPUT.picked,
      isMultiSelect: true,
      style: 'expanded',
      choices: real.map((c) => ({ title: c.label, value: c.id })),
    },
    {
      type: 'ActionSet',
      actions: [submit(staffText(locale, 'done'), { a: 'done', ...q }, 'positive'), ...special],
    },
    textBlock(staffText(locale, 'pickThenDone'), { isSubtle: true, size: 'Small' }),
  ];
}

/**
 * A check-in card: who, what was said so far (one line each), the question and its inputs, then "Ask a
 * counselor" and "Stop for now"; `after` goes under it (the caseload, on the week's first and last card).
 * `summary` is the notification text (first name only).
 */
export function checkinCard(
  model: CardModel,
  after: Record<string, unknown>[] = [],
): { summary: string; card: AdaptiveCard } {
  const { locale, student, current } = model;
  const body: Record<string, unknown>[] = [];
  if (student)
    body.push(
      textBlock(
        `**${escapeMarkdown(student.firstName)}** · ${staffText(locale, 'grade', { grade: student.grade })}`,
        { size: 'Medium' },
      ),
    );
  for (const line of model.earlier)
    body.push(
      textBlock(
        line.answer === undefined
          ? escapeMarkdown(line.text)
          : `✓ ${escapeMarkdown(line.text)} — **${escapeMarkdown(line.answer)}**`,
        { isSubtle: true, spacing: 'None' },
      ),
    );
  body.push(textBlock(escapeMarkdown(current.text), { id: 'question' }));
  body.push(...inputs(model), ...after);
  const actions: Record<string, unknown>[] = [];
  if (model.question) {
    if (student) actions.push(submit(staffText(locale, 'askCounselor'), { a: 'counselor', st: student.id }));
    actions.push(submit(staffText(locale, 'stop'), { a: 'stop' }));
  }
  const who = student ? `${student.firstName}: ` : '';
  const summary = `${who}${current.text}`;
  return {
    summary: summary.length > 300 ? `${summary.slice(0, 299)}…` : summary,
    card: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      ...(current.dir === 'rtl' ? { rtl: true } : {}),
      body,
      ...(actions.length ? { actions } : {}),
    },
  };
}

/**
 * The week's caseload as card elements: heading, how many are done, then each student (first name, grade,
 * status) with what the navigator should know under them (family cannot be texted, open needs).
 */
export function caseloadElements(
  locale: string,
  period: string,
  entries: CaseloadEntry[],
): Record<string, unknown>[] {
  if (entries.length === 0) return [textBlock(escapeMarkdown(staffText(locale, 'noStudents')))];
  const done = entries.filter((e) => e.status === 'completed' || e.status === 'skipped').length;
  const body: Record<string, unknown>[] = [
    textBlock(`**${escapeMarkdown(staffText(locale, 'weekHeading', { period }))}**`, { separator: true }),
    textBlock(escapeMarkdown(staffText(locale, 'weekSummary', { done, total: entries.length })), {
      isSubtle: true,
      spacing: 'None',
    }),
  ];
  for (const e of entries) {
    body.push(
      textBlock(
        `**${escapeMarkdown(e.firstName)}** · ${staffText(locale, 'grade', { grade: e.grade })} — ${staffText(locale, STATUS_TEXT[e.status])}`,
      ),
    );
    const lines = [
      ...(e.family ? [staffText(locale, FAMILY_REACH_TEXT[e.family])] : []),
      ...(e.details ?? []),
    ];
    for (const line of lines) body.push(textBlock(escapeMarkdown(line), { isSubtle: true, spacing: 'None' }));
  }
  return body;
}

/** The answer to `status`: this week's caseload, with Start (or Resume) while the week can still be done. */
export function caseloadCard(
  locale: string,
  period: string,
  entries: CaseloadEntry[],
  canResume: boolean,
): { summary: string; card: AdaptiveCard } {
  const started = entries.some((e) => e.status !== 'pending');
  return {
    summary: staffText(locale, 'weekHeading', { period }),
    card: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: caseloadElements(locale, period, entries),
      ...(canResume && entries.length > 0
        ? { actions: [submit(staffText(locale, started ? 'resume' : 'start'), { a: 'start' }, 'positive')] }
        : {}),
    },
  };
}
