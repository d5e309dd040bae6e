import { z } from 'zod';
import { isStaffKey, type StaffKey } from '../../i18n/staff.js';
import type { MessagePayload } from '../../messages.js';
import type { ChatMessages } from '../../services/chat-messages.js';
import type { StaffMember } from '../../services/staff-directory.js';

// The adapter's own messages (App Home, short replies in the DM) go through the outbox like check-in cards.
// The relay hands a transport the payload, not the purpose, so the payload key says what to do; the purpose
// names it in `outbox list`.

/** Outbox purposes of the adapter's own messages ('slack:home', 'slack:reply'). */
const OWN = { home: 'home', reply: 'reply' } as const;

/** Payload key meaning "publish this staff member's App Home": the view is rendered when the relay sends it. */
export const HOME_KEY = 'slack.home';
/** Payload key of a short reply in the DM; `params.label` is a staff text key. */
export const REPLY_KEY = 'slack.reply';

/** What an outbox payload asks of the Slack transport beyond a check-in card. */
export type OwnMessage =
  | { kind: 'home' }
  | { kind: 'reply'; label: StaffKey; params: Record<string, string | number> };

const ReplyParams = z.object({ label: z.string() }).catchall(z.union([z.string(), z.number()]));

/** Reads a payload as one of the adapter's own messages; null for everything else (check-in cards, notices). */
export function ownMessage(payload: MessagePayload): OwnMessage | null {
  if (payload.key === HOME_KEY) return { kind: 'home' };
  if (payload.key !== REPLY_KEY) return null;
  const parsed = ReplyParams.safeParse(payload.params ?? {});
  if (!parsed.success || !isStaffKey(parsed.data.label)) return null;
  const { label, ...params } = parsed.data;
  return { kind: 'reply', label, params };
}

/**
 * Queues a publish of a staff member's App Home (at most one waits at a time). Returns the outbox id, or null
 * when none was needed or they have no Slack id.
 */
export function queueHome(messages: ChatMessages, member: StaffMember): Promise<string | null> {
  if (!member.slackUserId) return Promise.resolve(null);
  return messages.queueRefresh(member, member.slackUserId, OWN.home, { key: HOME_KEY });
}

/**
 * Queues a short reply in a person's DM. `member` is absent for someone not in the roster: their Slack user id
 * stands in, and the district's default language is used.
 */
export function queueReply(
  messages: ChatMessages,
  to: { member: StaffMember | undefined; slackUserId: string; locale: string },
  label: StaffKey,
  params: Record<string, string | number> = {},
): Promise<string | null> {
  return messages.queueReply(
    { ...(to.member ? { staffId: to.member.id } : {}), userId: to.slackUserId, locale: to.locale },
    OWN.reply,
    { key: REPLY_KEY, params: { label, ...params } },
  );
}
