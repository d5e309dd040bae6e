import { z } from 'zod';
import { isStaffKey, type StaffKey } from '../../i18n/staff.js';
import type { MessagePayload } from '../../messages.js';
import type { ChatMessages } from '../../services/chat-messages.js';
import type { StaffMember } from '../../services/staff-directory.js';

// Short replies in a person's chat with the bot go through the outbox like check-in cards, so the relay's
// pacing and retries apply to them too. The payload key says what the transport is to send.

/** Payload key of a short reply; `params.label` is a staff text key. */
export const REPLY_KEY = 'teams.reply';
/** Payload key meaning "this week's caseload": rendered when the relay sends it, so it is fresh. */
export const CASELOAD_KEY = 'teams.caseload';
/**
 * Payload key of an escalation's private details (`params.e`: its id), rendered when the relay sends it, for
 * the recipient only: the escalation service checks again that they may see them.
 */
export const DETAILS_KEY = 'teams.escalation_details';

/** Slack's notices name its /checkin command; Teams says the words typed in its chat instead. */
const IN_TEAMS: Partial<Record<StaffKey, StaffKey>> = {
  notInRoster: 'teamsNotInRoster',
  noActiveCheckin: 'teamsNoActiveCheckin',
};

export function teamsKey(key: StaffKey): StaffKey {
  return IN_TEAMS[key] ?? key;
}

const ReplyParams = z.object({ label: z.string() }).catchall(z.union([z.string(), z.number()]));

/** Reads a payload as a short reply; null for everything else (check-in cards). */
export function replyOf(
  payload: MessagePayload,
): { label: StaffKey; params: Record<string, string | number> } | null {
  if (payload.key !== REPLY_KEY) return null;
  const parsed = ReplyParams.safeParse(payload.params ?? {});
  if (!parsed.success || !isStaffKey(parsed.data.label)) return null;
  const { label, ...params } = parsed.data;
  return { label, params };
}

/**
 * Queues a short reply in a Teams conversation. `member` is absent for someone not in the roster: their
 * Teams user stands in, and the district's default language is used.
 */
export function queueReply(
  messages: ChatMessages,
  to: { member: StaffMember | undefined; conversationId: string; locale: string },
  key: StaffKey,
  params: Record<string, string | number> = {},
): Promise<string | null> {
  return messages.queueReply(
    { ...(to.member ? { staffId: to.member.id } : {}), userId: to.conversationId, locale: to.locale },
    'reply',
    { key: REPLY_KEY, params: { label: teamsKey(key), ...params } },
  );
}

/** Queues the caseload card for a navigator who typed `status`. */
export function queueCaseload(
  messages: ChatMessages,
  to: { member: StaffMember; conversationId: string; locale: string },
): Promise<string | null> {
  return messages.queueReply(
    { staffId: to.member.id, userId: to.conversationId, locale: to.locale },
    'caseload',
    { key: CASELOAD_KEY },
  );
}

/** Queues an escalation's private details card in a staff member's personal chat with the bot. */
export function queueDetails(
  messages: ChatMessages,
  to: { member: StaffMember; conversationId: string; locale: string },
  escalationId: string,
): Promise<string | null> {
  return messages.queueReply(
    { staffId: to.member.id, userId: to.conversationId, locale: to.locale },
    'details',
    { key: DETAILS_KEY, params: { e: escalationId } },
  );
}

/** The escalation a details payload is for; null for anything else. */
export function detailsOf(payload: MessagePayload): string | null {
  const e = payload.params?.e;
  return payload.key === DETAILS_KEY && typeof e === 'string' && e ? e : null;
}
