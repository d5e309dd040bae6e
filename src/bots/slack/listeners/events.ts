import type { App } from '@slack/bolt';
import type { ListenerDeps, Replies } from '../replies.js';

/** Events: the App Home opened, and what a person typed in the bot's DM. */
export function registerEvents(app: App, deps: ListenerDeps, replies: Replies): void {
  const { conversation, directory } = deps;

  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    const member = await directory.staffFor(event.user);
    if (member) await replies.publishHome(member.id);
  });

  app.event('message', async ({ event, context }) => {
    const m = event as {
      channel_type?: string;
      subtype?: string;
      bot_id?: string;
      user?: string;
      text?: string;
    };
    // Only what a person typed in the bot's DM: not edits, joins, files, other bots or the bot itself.
    if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user || m.user === context.botUserId) return;
    const text = m.text?.trim();
    if (!text) return;
    const member = await replies.who(m.user);
    if (member) await replies.show(member, m.user, await conversation.type(member, text));
  });
}
