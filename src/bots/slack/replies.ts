import type { webApi } from '@slack/bolt';
import type { AppContext } from '../../context.js';
import type { Texts } from '../../i18n/index.js';
import { type StaffKey, staffText } from '../../i18n/staff.js';
import type { ChatMessages } from '../../services/chat-messages.js';
import type { NavigatorConversation, NavigatorResult } from '../../services/navigator-conversation.js';
import type { OutOfOffice } from '../../services/out-of-office.js';
import type { StaffDirectory, StaffMember } from '../../services/staff-directory.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { queueHome, queueReply } from './own-messages.js';
import type { SlackDirectory } from './staff.js';

/** What every Bolt listener is given. */
export interface ListenerDeps {
  ctx: AppContext;
  texts: Texts;
  conversation: NavigatorConversation;
  outOfOffice: OutOfOffice;
  messages: ChatMessages;
  staff: StaffDirectory;
  directory: SlackDirectory;
  client: webApi.WebClient;
}

/** How a listener answers the person who acted: who they are, what they are told, their App Home. */
export interface Replies {
  localeOf(member: StaffMember): string;
  /** The staff member behind a Slack user; someone not in the roster is told so. */
  who(userId: string, channel?: string): Promise<StaffMember | undefined>;
  /**
   * A short answer to what someone did. In a channel (a click): an ephemeral message, sent at once because it
   * belongs to that interaction. Otherwise a DM, through the outbox like every other message.
   */
  tell(member: StaffMember | undefined, userId: string, key: StaffKey, channel?: string): Promise<void>;
  /** Says what the conversation service reported, then refreshes the App Home when the week changed. */
  show(member: StaffMember, userId: string, result: NavigatorResult, channel?: string): Promise<void>;
  /** Queues an App Home publish; the relay renders and sends it (rate limits and retries apply). */
  publishHome(staffId: string): Promise<string | null>;
}

export function createReplies(deps: ListenerDeps): Replies {
  const { texts, messages, client, directory, staff } = deps;
  const localeOf = (member: StaffMember) => texts.resolveLocale(member.locale);

  const tell: Replies['tell'] = async (member, userId, key, channel) => {
    const locale = member ? localeOf(member) : texts.defaultLocale;
    if (channel)
      await client.chat.postEphemeral({ channel, user: userId, text: escapeMrkdwn(staffText(locale, key)) });
    else await queueReply(messages, { member, slackUserId: userId, locale }, key);
  };

  const publishHome: Replies['publishHome'] = async (staffId) => {
    const member = await staff.byId(staffId);
    return member ? queueHome(messages, member) : null;
  };

  return {
    localeOf,
    tell,
    publishHome,
    async who(userId, channel) {
      const member = await directory.staffFor(userId);
      if (!member) await tell(undefined, userId, 'notInRoster', channel);
      return member;
    },
    async show(member, userId, result, channel) {
      for (const notice of result.notices) await tell(member, userId, notice, channel);
      if (result.caseloadChanged) await publishHome(member.id);
    },
  };
}
