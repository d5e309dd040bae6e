import type { App, BlockAction } from '@slack/bolt';
import { DIGEST_ACTION } from '../digest-blocks.js';

/**
 * The digest's dashboard button opens its URL in the browser; Slack still reports the click and shows a
 * warning unless it is acknowledged. Nothing else happens here: the link was minted when the digest was sent.
 */
export function registerDigestActions(app: App): void {
  app.action<BlockAction>(DIGEST_ACTION, async ({ ack }) => {
    await ack();
  });
}
