import type { types as SlackTypes } from '@slack/bolt';
import { type StaffKey, staffText } from '../../i18n/staff.js';
import type { CheckinStatus } from '../../services/caseload.js';
import { type CardModel, type CaseloadEntry, FAMILY_REACH_TEXT, STATUS_TEXT } from '../chat/cards.js';
import { ACTION, encode, type StudentAction } from './ids.js';
import { escapeMrkdwn } from './mrkdwn.js';

type ActionsBlock = SlackTypes.ActionsBlock;
type Button = SlackTypes.Button;
type Checkboxes = SlackTypes.Checkboxes;
type ContextBlock = SlackTypes.ContextBlock;
export type KnownBlock = SlackTypes.KnownBlock;
type Overflow = SlackTypes.Overflow;
type SectionBlock = SlackTypes.SectionBlock;

// Block Kit for navigators. Minimum necessary: a student appears by first name and grade only; needs by area.

/** Slack's limits that we meet by trimming rather than by failing the send. */
const MAX_BUTTON = 75;
const MAX_SECTION = 2900;
const CHECKBOX_GROUP = 10;

export function trim(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function plain(text: string) {
  return { type: 'plain_text' as const, text: trim(text, MAX_BUTTON), emoji: true };
}

function mrkdwn(text: string) {
  return { type: 'mrkdwn' as const, text: trim(text, MAX_SECTION) };
}

export function studentTitle(locale: string, s: { firstName: string; grade: string }): string {
  return `*${escapeMrkdwn(s.firstName)}* · ${escapeMrkdwn(staffText(locale, 'grade', { grade: s.grade }))}`;
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', text: plain(text), action_id: actionId, value, ...(style ? { style } : {}) };
}

/** Choices the engine adds to any question (skip an optional one, ask for an icebreaker idea). */
const SPECIAL = new Set(['skip', 'idea']);

function inputs(model: CardModel): KnownBlock[] {
  const q = model.question;
  const { locale, current } = model;
  if (!q) return [];
  const special = current.choices.filter((c) => SPECIAL.has(c.id));
  const real = current.choices.filter((c) => !SPECIAL.has(c.id));
  const specialButtons = special.map((c) => button(c.label, ACTION.choice, encode({ ...q, c: c.id })));
  // Only skip/idea offered: the question wants typed words (in the DM, or in a note).
  if (real.length === 0) {
    return [
      {
        type: 'actions',
        block_id: 'answer',
        elements: [
          button(staffText(locale, 'writeNote'), ACTION.note, encode(q), 'primary'),
          ...specialButtons,
        ],
      },
      { type: 'context', elements: [mrkdwn(escapeMrkdwn(staffText(locale, 'typeOrNote')))] },
    ];
  }
  if (!model.multiple) {
    return [
      {
        type: 'actions',
        block_id: 'answer',
        elements: current.choices
          .slice(0, 25)
          .map((c) => button(c.label, ACTION.choice, encode({ ...q, c: c.id }))),
      },
    ];
  }
  const groups: Checkboxes[] = [];
  for (let i = 0; i < real.length; i += CHECKBOX_GROUP) {
    groups.push({
      type: 'checkboxes',
      action_id: `${ACTION.pick}.${i / CHECKBOX_GROUP}`,
      options: real.slice(i, i + CHECKBOX_GROUP).map((c) => ({ text: plain(c.label), value: c.id })),
    });
  }
  return [
    {
      type: 'actions',
      block_id: 'answer',
      elements: [
        ...groups,
        button(staffText(locale, 'done'), ACTION.done, encode(q), 'primary'),
        ...specialButtons,
      ],
    },
    { type: 'context', elements: [mrkdwn(escapeMrkdwn(staffText(locale, 'pickThenDone')))] },
  ];
}

function footer(model: CardModel): ActionsBlock | null {
  if (!model.question) return null;
  const elements: Button[] = [];
  if (model.student)
    elements.push(
      button(staffText(model.locale, 'askCounselor'), ACTION.counselor, encode({ st: model.student.id })),
    );
  elements.push(button(staffText(model.locale, 'stop'), ACTION.stop, encode({ sid: model.question.sid })));
  return { type: 'actions', block_id: 'card_tools', elements };
}

/**
 * A check-in card: who, what was said so far (one short line each), the question and its inputs, then
 * "Ask a counselor" and "Stop for now". Returns the notification text too (first name only).
 */
export function renderCard(model: CardModel): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [];
  const { locale, student, current } = model;
  if (student) blocks.push({ type: 'section', text: mrkdwn(studentTitle(locale, student)) });
  if (model.earlier.length > 0) {
    const lines = model.earlier.map((l) =>
      l.answer === undefined
        ? escapeMrkdwn(l.text)
        : `✓ ${escapeMrkdwn(l.text)} — *${escapeMrkdwn(l.answer)}*`,
    );
    // A context block takes at most ten elements; older lines are folded into the first.
    const elements =
      lines.length <= 10 ? lines : [lines.slice(0, lines.length - 9).join('\n'), ...lines.slice(-9)];
    blocks.push({ type: 'context', elements: elements.map(mrkdwn) } satisfies ContextBlock);
  }
  blocks.push({
    type: 'section',
    block_id: 'question',
    text: mrkdwn(escapeMrkdwn(current.text)),
  } satisfies SectionBlock);
  blocks.push(...inputs(model));
  const tools = footer(model);
  if (tools) blocks.push(tools);
  // The notification text is mrkdwn too: unescaped, a family's `<!channel>` would notify the whole channel.
  const who = student ? `${student.firstName}: ` : '';
  return { text: escapeMrkdwn(trim(`${who}${current.text}`, 300)), blocks };
}

const STATUS_ICON: Record<CheckinStatus, string> = {
  pending: ':white_circle:',
  in_progress: ':hourglass_flowing_sand:',
  completed: ':white_check_mark:',
  attempted: ':large_yellow_circle:',
  skipped: ':fast_forward:',
  missed: ':x:',
};

export function statusText(locale: string, status: CheckinStatus): string {
  return `${STATUS_ICON[status]} ${escapeMrkdwn(staffText(locale, STATUS_TEXT[status]))}`;
}

function studentMenu(locale: string, s: CaseloadEntry): Overflow {
  const option = (key: StaffKey, a: StudentAction['a']) => ({
    text: plain(staffText(locale, key)),
    value: encode<StudentAction>({ a, st: s.id }),
  });
  const options = [option('askCounselor', 'counselor')];
  if (s.status === 'pending' || s.status === 'in_progress') options.unshift(option('checkInNow', 'goto'));
  if (s.status === 'pending') options.push(option('skipWeek', 'skip'));
  return { type: 'overflow', action_id: ACTION.student, options };
}

/** The caseload with each student's status this week, a menu per student, and Start/Resume. */
export function caseloadBlocks(
  locale: string,
  period: string,
  entries: CaseloadEntry[],
  options: { canResume: boolean },
): KnownBlock[] {
  if (entries.length === 0)
    return [{ type: 'section', text: mrkdwn(escapeMrkdwn(staffText(locale, 'noStudents'))) }];
  const done = entries.filter((e) => e.status === 'completed' || e.status === 'skipped').length;
  const started = entries.some((e) => e.status !== 'pending');
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        `*${escapeMrkdwn(staffText(locale, 'weekHeading', { period }))}*\n${escapeMrkdwn(staffText(locale, 'weekSummary', { done, total: entries.length }))}`,
      ),
      ...(options.canResume
        ? {
            accessory: button(
              staffText(locale, started ? 'resume' : 'start'),
              ACTION.resume,
              'resume',
              'primary',
            ),
          }
        : {}),
    },
  ];
  for (const e of entries) {
    blocks.push({
      type: 'section',
      text: mrkdwn(`${studentTitle(locale, e)} — ${statusText(locale, e.status)}`),
      accessory: studentMenu(locale, e),
    });
    const lines = [
      ...(e.family ? [staffText(locale, FAMILY_REACH_TEXT[e.family])] : []),
      ...(e.details ?? []),
    ];
    if (lines.length > 0)
      blocks.push({ type: 'context', elements: lines.slice(0, 10).map((d) => mrkdwn(escapeMrkdwn(d))) });
  }
  return blocks;
}
