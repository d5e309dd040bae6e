import type { types as SlackTypes } from '@slack/bolt';
import { staffText } from '../../i18n/staff.js';
import {
  ACTION_TEXT,
  type AlertAction,
  type AlertPlan,
  type DetailsPlan,
  OUTCOMES,
  outcomeText,
} from '../chat/escalation-alert.js';
import { trim } from './blocks.js';
import { ACTION, type AlertRef, encode, VIEW } from './ids.js';
import { escapeMrkdwn } from './mrkdwn.js';

// Block Kit of a counselor's escalation alert and its modals. The alert may sit in a shared channel: it carries
// only what `escalationAlertPlan` gives it. The details modal is opened for one person and never posted.

type KnownBlock = SlackTypes.KnownBlock;
type View = SlackTypes.View;
type Button = SlackTypes.Button;

const pt = (text: string, max = 75) => ({ type: 'plain_text' as const, text: trim(text, max), emoji: true });
const md = (text: string) => ({ type: 'mrkdwn' as const, text: trim(text, 2900) });

const BUTTON_ID: Record<AlertAction, string> = {
  claim: ACTION.alertClaim,
  acknowledge: ACTION.alertAcknowledge,
  note: ACTION.alertNote,
  reassign: ACTION.alertReassign,
  resolve: ACTION.alertResolve,
  details: ACTION.alertDetails,
};

function button(locale: string, action: AlertAction, escalationId: string): Button {
  return {
    type: 'button',
    text: pt(staffText(locale, ACTION_TEXT[action])),
    action_id: BUTTON_ID[action],
    value: encode<AlertRef>({ e: escalationId }),
    ...(action === 'claim' ? { style: 'primary' as const } : {}),
  };
}

/** The alert message: heading, one field per line of the plan, and the buttons its state allows. */
export function alertBlocks(plan: AlertPlan, escalationId: string): { text: string; blocks: KnownBlock[] } {
  const icon = plan.resolved ? ':white_check_mark:' : plan.urgent ? ':rotating_light:' : ':bell:';
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: 'alert_heading', text: md(`${icon} *${escapeMrkdwn(plan.heading)}*`) },
    {
      type: 'section',
      block_id: 'alert_fields',
      fields: plan.fields.map((f) => md(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`)),
    },
  ];
  if (plan.actions.length > 0)
    blocks.push({
      type: 'actions',
      block_id: 'alert_actions',
      elements: plan.actions.map((a) => button(plan.locale, a, escalationId)),
    });
  return { text: escapeMrkdwn(trim(plan.summary, 300)), blocks };
}

function modal(
  locale: string,
  callbackId: string,
  title: string,
  meta: AlertRef,
  blocks: KnownBlock[],
  canSubmit = true,
): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: encode(meta),
    title: pt(title, 24),
    ...(canSubmit ? { submit: pt(staffText(locale, 'alertSave'), 24) } : {}),
    close: pt(staffText(locale, 'cancel'), 24),
    blocks,
  };
}

function noteInput(locale: string, optional: boolean): KnownBlock {
  return {
    type: 'input',
    block_id: 'note',
    optional,
    label: pt(staffText(locale, optional ? 'alertResolveNoteLabel' : 'alertNoteLabel'), 2000),
    element: { type: 'plain_text_input', action_id: 'text', multiline: true, max_length: 2000 },
  };
}

/** "Add note": one text field. */
export function alertNoteModal(locale: string, meta: AlertRef): View {
  return modal(locale, VIEW.alertNote, staffText(locale, 'alertNoteTitle'), meta, [noteInput(locale, false)]);
}

/** "Reassign": a choice among the counselors who may take it (Slack allows 100 options). */
export function alertReassignModal(
  locale: string,
  meta: AlertRef,
  counselors: { id: string; name: string }[],
): View {
  const options = counselors.slice(0, 100).map((c) => ({ text: pt(c.name), value: c.id }));
  const blocks: KnownBlock[] =
    options.length === 0
      ? [{ type: 'section', text: md(escapeMrkdwn(staffText(locale, 'alertNoCounselors'))) }]
      : [
          {
            type: 'input',
            block_id: 'assignee',
            label: pt(staffText(locale, 'alertReassignLabel'), 2000),
            element: {
              type: 'static_select',
              action_id: 'counselor',
              placeholder: pt(staffText(locale, 'alertReassignPlaceholder'), 150),
              options,
            },
          },
        ];
  return modal(
    locale,
    VIEW.alertReassign,
    staffText(locale, 'alertReassignTitle'),
    meta,
    blocks,
    options.length > 0,
  );
}

/** "Resolve": the outcome (required) and an optional note. */
export function alertResolveModal(locale: string, meta: AlertRef): View {
  return modal(locale, VIEW.alertResolve, staffText(locale, 'alertResolveTitle'), meta, [
    {
      type: 'input',
      block_id: 'outcome',
      label: pt(staffText(locale, 'alertOutcomeLabel'), 2000),
      element: {
        type: 'static_select',
        action_id: 'outcome',
        placeholder: pt(staffText(locale, 'alertOutcomePlaceholder'), 150),
        options: OUTCOMES.map((o) => ({ text: pt(outcomeText(locale, o)), value: o })),
      },
    },
    noteInput(locale, true),
  ]);
}

/** The private details, for the assigned counselor only: opened with views.open, never posted. */
export function alertDetailsModal(locale: string, plan: DetailsPlan): View {
  const section = (label: string, lines: string[]): KnownBlock[] =>
    lines.length === 0
      ? []
      : [
          { type: 'header', text: pt(label, 150) },
          ...lines.slice(0, 20).map((l): KnownBlock => ({ type: 'section', text: md(escapeMrkdwn(l)) })),
        ];
  const blocks: KnownBlock[] = [
    { type: 'context', elements: [md(escapeMrkdwn(plan.notice))] },
    {
      type: 'section',
      fields: plan.fields.slice(0, 10).map((f) => md(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`)),
    },
    ...section(staffText(locale, 'alertLabelNote'), plan.note ? [plan.note] : []),
    ...section(staffText(locale, 'alertLabelFamilyWords'), plan.familyWords),
    ...section(staffText(locale, 'alertLabelHistory'), plan.history),
  ];
  return {
    type: 'modal',
    callback_id: VIEW.alertDetails,
    title: pt(plan.title, 24),
    close: pt(staffText(locale, 'cancel'), 24),
    blocks: blocks.slice(0, 100),
  };
}
