import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { MessagePayload } from '../../messages.js';
import { OutboxRepository, outboxKey } from '../../store/repositories/outbox.js';
import type { StaffRow } from '../../store/repositories/roster.js';
import { SlackRepository } from '../../store/repositories/slack.js';
import { isLabelKey, type LabelKey } from './labels.js';

// The adapter's own messages (App Home, short replies in the DM) go through the outbox like check-in cards,
// so the relay's rate limits, retries and dead-lettering apply to them too. The relay hands a transport the
// payload, not the purpose, so the payload key says what to do; the purpose names it in `outbox list`.

/** Outbox purposes of the adapter's own messages. */
export const SLACK_PURPOSE = { home: 'slack:home', reply: 'slack:reply' } as const;

/** Payload key meaning "publish this staff member's App Home": the view is rendered when the relay sends it. */
export const HOME_KEY = 'slack.home';
/** Payload key of a short reply in the DM; `params.label` is a Slack label key (labels.ts). */
export const REPLY_KEY = 'slack.reply';

/** What an outbox payload asks of the Slack transport beyond a check-in card. */
export type OwnMessage =
  | { kind: 'home' }
  | { kind: 'reply'; label: LabelKey; params: Record<string, string | number> };

const ReplyParams = z.object({ label: z.string() }).catchall(z.union([z.string(), z.number()]));

/** Reads a payload as one of the adapter's own messages; null for everything else (check-in cards, notices). */
export function ownMessage(payload: MessagePayload): OwnMessage | null {
  if (payload.key === HOME_KEY) return { kind: 'home' };
  if (payload.key !== REPLY_KEY) return null;
  const parsed = ReplyParams.safeParse(payload.params ?? {});
  if (!parsed.success || !isLabelKey(parsed.data.label)) return null;
  const { label, ...params } = parsed.data;
  return { kind: 'reply', label, params };
}

/**
 * Queues a publish of a staff member's App Home. At most one waits at a time: while one is pending, later
 * changes ride on it (the view is rendered at send time). Returns the outbox id, or null when none was needed.
 */
export function queueHome(ctx: AppContext, member: StaffRow): string | null {
  const slackUserId = member.slackUserId;
  if (!slackUserId) return null;
  return ctx.db.transaction((tx) => {
    if (new SlackRepository(tx).hasPending(member.id, SLACK_PURPOSE.home)) return null;
    const now = ctx.clock();
    const id = ctx.ids();
    return OutboxRepository.enqueue(tx, {
      id,
      // One per change: a publish already sent says nothing about what changed since.
      idempotencyKey: outboxKey({
        recipient: `staff:${member.id}`,
        purpose: SLACK_PURPOSE.home,
        period: String(now),
        step: id,
      }),
      channel: 'slack',
      recipientKind: 'staff',
      recipientId: member.id,
      address: slackUserId,
      purpose: SLACK_PURPOSE.home,
      locale: member.locale,
      payload: { key: HOME_KEY },
      createdAt: now,
    });
  });
}

/**
 * Queues a short reply in a person's DM. `member` is absent for someone not in the roster: the Slack user id
 * stands in as the recipient (`slack:<id>`), and the district's default language is used.
 */
export function queueReply(
  ctx: AppContext,
  to: { member: StaffRow | undefined; slackUserId: string; locale: string },
  label: LabelKey,
  params: Record<string, string | number> = {},
): string | null {
  const now = ctx.clock();
  const id = ctx.ids();
  const recipient = to.member?.id ?? `slack:${to.slackUserId}`;
  return OutboxRepository.enqueue(ctx.db, {
    id,
    idempotencyKey: outboxKey({
      recipient: `staff:${recipient}`,
      purpose: SLACK_PURPOSE.reply,
      period: String(now),
      step: id,
    }),
    channel: 'slack',
    recipientKind: 'staff',
    recipientId: recipient,
    address: to.slackUserId,
    purpose: SLACK_PURPOSE.reply,
    locale: to.locale,
    payload: { key: REPLY_KEY, params: { label, ...params } },
    createdAt: now,
  });
}
