import { Activity } from '@microsoft/agents-activity';
import type { DigestView } from '../chat/digest.js';
import { ADAPTIVE_CARD, type AdaptiveCard, escapeMarkdown } from './cards.js';

/**
 * The weekly digest as an Adaptive Card (schema 1.5): the heading, the figures as a fact-like list, and an
 * Action.OpenUrl to the dashboard with a fresh signed link for this recipient. Counts only.
 */
export function digestCard(view: DigestView): { summary: string; card: AdaptiveCard } {
  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    lang: view.locale,
    body: [
      { type: 'TextBlock', text: escapeMarkdown(view.heading), weight: 'Bolder', size: 'Medium', wrap: true },
      ...view.lines.map((line) => ({
        type: 'TextBlock',
        text: escapeMarkdown(line),
        wrap: true,
        spacing: 'Small',
      })),
      ...(view.url
        ? [{ type: 'TextBlock', text: escapeMarkdown(view.note), isSubtle: true, size: 'Small', wrap: true }]
        : []),
    ],
    ...(view.url
      ? { actions: [{ type: 'Action.OpenUrl', title: view.button, url: view.url, style: 'positive' }] }
      : {}),
  };
  return { summary: view.heading, card };
}

/** The message activity that carries the digest card. */
export function digestActivity(view: DigestView): Activity {
  const { summary, card } = digestCard(view);
  return Activity.fromObject({
    type: 'message',
    summary,
    attachments: [{ contentType: ADAPTIVE_CARD, content: card }],
  });
}
