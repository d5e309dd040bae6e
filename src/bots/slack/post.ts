import type { types as SlackTypes, webApi } from '@slack/bolt';
import type { SendResult } from '../../delivery/transport.js';
import { providerId } from '../chat/card-plan.js';

/**
 * Posts a new message and returns what the relay records: the channel and timestamp that later edits in place
 * address. Links are never unfurled: a family's words or a service's address must not grow a preview.
 */
export async function postNew(
  client: webApi.WebClient,
  channel: string,
  content: { text: string; blocks?: SlackTypes.KnownBlock[] },
): Promise<SendResult> {
  const posted = await client.chat.postMessage({
    channel,
    ...content,
    unfurl_links: false,
    unfurl_media: false,
  });
  return posted.channel && posted.ts
    ? { ok: true, providerMessageId: providerId({ channel: posted.channel, ts: posted.ts }) }
    : { ok: true };
}
