import { staffText } from '../../i18n/staff.js';
import {
  ACTION_TEXT,
  type AlertAction,
  type AlertPlan,
  type DetailsPlan,
  OUTCOMES,
  outcomeText,
} from '../chat/escalation-alert.js';
import { ALERT_INPUT, type AlertCardAction } from './actions.js';
import type { AdaptiveCard } from './cards.js';
import { escapeMarkdown } from './cards.js';

// Adaptive Cards of a counselor's escalation alert and of its private details. The alert may be posted in a
// shared channel: it shows only what `escalationAlertPlan` gives it. The details card goes only to the holder's
// personal chat with the bot.

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

function textBlock(text: string, extra: Record<string, unknown> = {}) {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

function data(escalationId: string, action: AlertAction): AlertCardAction {
  return { a: 'alert', e: escalationId, do: action };
}

function submit(title: string, value: AlertCardAction, style?: 'positive' | 'destructive') {
  return { type: 'Action.Submit', title, data: value, ...(style ? { style } : {}) };
}

/** A panel that opens under the alert (Action.ShowCard) with its inputs and a Save button. */
function panel(locale: string, title: string, value: AlertCardAction, body: Record<string, unknown>[]) {
  return {
    type: 'Action.ShowCard',
    title,
    card: {
      type: 'AdaptiveCard',
      body,
      actions: [submit(staffText(locale, 'alertSave'), value, 'positive')],
    },
  };
}

function actionOf(
  locale: string,
  action: AlertAction,
  escalationId: string,
  counselors: { id: string; name: string }[],
): Record<string, unknown> {
  const title = staffText(locale, ACTION_TEXT[action]);
  const value = data(escalationId, action);
  switch (action) {
    case 'note':
      return panel(locale, title, value, [
        {
          type: 'Input.Text',
          id: ALERT_INPUT.note,
          isMultiline: true,
          maxLength: 2000,
          isRequired: true,
          label: staffText(locale, 'alertNoteLabel'),
        },
      ]);
    case 'reassign':
      return panel(
        locale,
        title,
        value,
        counselors.length === 0
          ? [textBlock(escapeMarkdown(staffText(locale, 'alertNoCounselors')))]
          : [
              {
                type: 'Input.ChoiceSet',
                id: ALERT_INPUT.to,
                isRequired: true,
                label: staffText(locale, 'alertReassignLabel'),
                placeholder: staffText(locale, 'alertReassignPlaceholder'),
                choices: counselors.map((c) => ({ title: c.name, value: c.id })),
              },
            ],
      );
    case 'resolve':
      return panel(locale, title, value, [
        {
          type: 'Input.ChoiceSet',
          id: ALERT_INPUT.outcome,
          isRequired: true,
          label: staffText(locale, 'alertOutcomeLabel'),
          placeholder: staffText(locale, 'alertOutcomePlaceholder'),
          choices: OUTCOMES.map((o) => ({ title: outcomeText(locale, o), value: o })),
        },
        {
          type: 'Input.Text',
          id: ALERT_INPUT.resolveNote,
          isMultiline: true,
          maxLength: 2000,
          label: staffText(locale, 'alertResolveNoteLabel'),
        },
      ]);
    default:
      return submit(title, value, action === 'claim' ? 'positive' : undefined);
  }
}

function facts(fields: { label: string; value: string }[]) {
  return {
    type: 'FactSet',
    facts: fields.map((f) => ({ title: escapeMarkdown(f.label), value: escapeMarkdown(f.value) })),
  };
}

/**
 * The alert card: heading, the plan's lines as facts, and the actions its state allows (Claim and Acknowledge
 * at once; Add note, Reassign and Resolve open a panel with their inputs; Details asks for the private card).
 */
export function alertCard(
  plan: AlertPlan,
  escalationId: string,
  counselors: { id: string; name: string }[],
): { summary: string; card: AdaptiveCard } {
  const actions = plan.actions.map((a) => actionOf(plan.locale, a, escalationId, counselors));
  return {
    summary: plan.summary.length > 300 ? `${plan.summary.slice(0, 299)}…` : plan.summary,
    card: {
      type: 'AdaptiveCard',
      $schema: SCHEMA,
      version: '1.5',
      body: [
        textBlock(`**${escapeMarkdown(plan.heading)}**`, {
          size: 'Medium',
          ...(plan.urgent && !plan.resolved ? { color: 'Attention' } : {}),
        }),
        facts(plan.fields),
      ],
      ...(actions.length > 0 ? { actions } : {}),
    },
  };
}

/** The private details card, sent only in the holder's personal chat with the bot. */
export function detailsCard(locale: string, plan: DetailsPlan): { summary: string; card: AdaptiveCard } {
  const section = (label: string, lines: string[]) =>
    lines.length === 0
      ? []
      : [
          textBlock(`**${escapeMarkdown(label)}**`, { separator: true }),
          ...lines.slice(0, 30).map((l) => textBlock(escapeMarkdown(l), { spacing: 'Small' })),
        ];
  return {
    summary: plan.title,
    card: {
      type: 'AdaptiveCard',
      $schema: SCHEMA,
      version: '1.5',
      body: [
        textBlock(`**${escapeMarkdown(plan.title)}**`, { size: 'Medium' }),
        textBlock(escapeMarkdown(plan.notice), { isSubtle: true, size: 'Small' }),
        facts(plan.fields),
        ...section(staffText(locale, 'alertLabelNote'), plan.note ? [plan.note] : []),
        ...section(staffText(locale, 'alertLabelFamilyWords'), plan.familyWords),
        ...section(staffText(locale, 'alertLabelHistory'), plan.history),
      ],
    },
  };
}
