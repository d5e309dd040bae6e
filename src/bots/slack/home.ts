import type { types as SlackTypes } from '@slack/bolt';
import type { Texts } from '../../i18n/index.js';
import { staffText } from '../../i18n/staff.js';
import type { NavigatorHome } from '../../services/navigator-conversation.js';
import { caseloadEntry } from '../chat/caseload.js';
import { caseloadBlocks, type KnownBlock } from './blocks.js';
import { ACTION, encode, VIEW } from './ids.js';
import { escapeMrkdwn } from './mrkdwn.js';

type View = SlackTypes.View;

/** Escaped text in mrkdwn; `markup` is for text already made of escaped parts (a student title, a card's question). */
const md = (text: string) => ({ type: 'mrkdwn' as const, text: escapeMrkdwn(text) });
const markup = (text: string) => ({ type: 'mrkdwn' as const, text });
const pt = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/**
 * The App Home: this week's caseload with status, open needs and what the family said per student, a
 * Start/Resume button, out-of-office with dates, and the last few weeks.
 */
export function homeView(texts: Texts, home: NavigatorHome): View {
  const { locale, week, outOfOffice: ooo } = home;
  const entries = week.students.map((s) => caseloadEntry(texts, locale, s));
  const blocks: KnownBlock[] = [
    ...caseloadBlocks(locale, week.period, entries, { canResume: week.canResume }),
    { type: 'divider' },
    { type: 'header', text: pt(staffText(locale, 'oooHeading')) },
  ];
  blocks.push({
    type: 'section',
    text: md(ooo ? staffText(locale, 'oooOn', { from: ooo.from, to: ooo.to }) : staffText(locale, 'oooOff')),
  });
  blocks.push({
    type: 'actions',
    block_id: 'ooo',
    elements: [
      { type: 'button', text: pt(staffText(locale, 'oooSet')), action_id: ACTION.oooSet, value: 'set' },
      ...(ooo
        ? [
            {
              type: 'button' as const,
              text: pt(staffText(locale, 'oooClear')),
              action_id: ACTION.oooClear,
              value: 'clear',
            },
          ]
        : []),
    ],
  });
  blocks.push({ type: 'divider' }, { type: 'header', text: pt(staffText(locale, 'historyHeading')) });
  const weeks = home.history;
  blocks.push({
    type: 'context',
    elements: [
      md(
        weeks.length === 0
          ? staffText(locale, 'noHistory')
          : weeks
              .map((w) =>
                staffText(locale, 'historyLine', {
                  period: w.period,
                  done: w.completed + w.skipped,
                  total: w.total,
                }),
              )
              .join('\n'),
      ),
    ],
  });
  return { type: 'home', blocks };
}

/** The modal for a free-text answer (a note), opened from a card's "Write a note". */
export function noteModal(locale: string, question: string, ref: string): View {
  return {
    type: 'modal',
    callback_id: VIEW.note,
    private_metadata: ref,
    title: pt(staffText(locale, 'noteTitle')),
    submit: pt(staffText(locale, 'send')),
    close: pt(staffText(locale, 'cancel')),
    blocks: [
      { type: 'section', text: markup(question.slice(0, 2900)) },
      {
        type: 'input',
        block_id: 'note',
        label: pt(staffText(locale, 'noteLabel')),
        element: { type: 'plain_text_input', action_id: 'text', multiline: true, max_length: 2000 },
      },
    ],
  };
}

/** The modal asking what a counselor should know (optional), for one student. */
export function counselorModal(locale: string, studentTitle: string, studentId: string | undefined): View {
  return {
    type: 'modal',
    callback_id: VIEW.counselor,
    private_metadata: encode(studentId ? { st: studentId } : {}),
    title: pt(staffText(locale, 'counselorTitle')),
    submit: pt(staffText(locale, 'send')),
    close: pt(staffText(locale, 'cancel')),
    blocks: [
      { type: 'section', text: markup(studentTitle) },
      {
        type: 'input',
        block_id: 'note',
        optional: true,
        label: pt(staffText(locale, 'counselorLabel')),
        element: { type: 'plain_text_input', action_id: 'text', multiline: true, max_length: 2000 },
      },
    ],
  };
}

/** The out-of-office modal with two date pickers. */
export function oooModal(locale: string, from: string | null, to: string | null, today: string): View {
  const picker = (blockId: string, key: 'oooFrom' | 'oooTo', initial: string | null) => ({
    type: 'input' as const,
    block_id: blockId,
    label: pt(staffText(locale, key)),
    element: { type: 'datepicker' as const, action_id: 'date', initial_date: initial ?? today },
  });
  return {
    type: 'modal',
    callback_id: VIEW.ooo,
    title: pt(staffText(locale, 'oooHeading')),
    submit: pt(staffText(locale, 'send')),
    close: pt(staffText(locale, 'cancel')),
    blocks: [picker('from', 'oooFrom', from), picker('to', 'oooTo', to)],
  };
}
