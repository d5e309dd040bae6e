import type { types as SlackTypes, webApi } from '@slack/bolt';
import type { AppContext } from '../../context.js';
import type { OutboundMessage, SendResult } from '../../delivery/transport.js';
import type { Texts } from '../../i18n/index.js';
import { type DigestView, digestViewFor } from '../chat/digest.js';
import { trim } from './blocks.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { postNew } from './post.js';

type KnownBlock = SlackTypes.KnownBlock;

/** The digest button's action id: Slack reports the click of a URL button too, and it must be acknowledged. */
export const DIGEST_ACTION = 'digest.open_dashboard';

/**
 * The weekly digest in Block Kit: a header, the figures, and a primary button that opens the dashboard (the
 * URL is a fresh signed link for this recipient). Counts only: the digest names no student or family.
 */
export function digestBlocks(view: DigestView): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: trim(view.heading, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: trim(escapeMrkdwn(view.lines.join('\n')), 2900) } },
  ];
  if (view.url)
    blocks.push(
      {
        type: 'actions',
        block_id: 'digest',
        elements: [
          {
            type: 'button',
            action_id: DIGEST_ACTION,
            text: { type: 'plain_text', text: trim(view.button, 75), emoji: true },
            url: view.url,
            style: 'primary',
          },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(view.note) }] },
    );
  return { text: escapeMrkdwn(view.text), blocks };
}

/** Posts the digest to a lead navigator; `failed` classifies Slack's errors as the transport does. */
export async function postDigest(
  deps: { ctx: AppContext; texts: Texts; client: webApi.WebClient },
  message: OutboundMessage,
  failed: (message: OutboundMessage, err: unknown) => SendResult,
): Promise<SendResult> {
  const rendered = digestBlocks(await digestViewFor(deps.ctx, deps.texts, message));
  try {
    return await postNew(deps.client, message.address, rendered);
  } catch (err) {
    return failed(message, err);
  }
}
