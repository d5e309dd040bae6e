import type { AppContext } from '../context.js';
import type { MessagePayload } from '../messages.js';
import type { ChatChannel } from '../store/repositories/chat-identities.js';
import { ChatMessageRepository, ownPurposePrefix } from '../store/repositories/chat-messages.js';
import { OutboxRepository, type OutboxRow, outboxKey } from '../store/repositories/outbox.js';

/** A message the outbox has sent: its payload, idempotency key and the platform's id of the chat message. */
export type SentMessage = OutboxRow;

/** Who a chat adapter's own message is for: a staff member, or a chat user not in the roster. */
export interface ChatRecipient {
  staffId?: string;
  userId: string;
  locale: string;
}

/**
 * A chat adapter's own messages (a home view, a short reply) go through the outbox like check-in messages, so
 * the relay's rate limits, retries and dead-lettering apply to them too; and the messages already shown in a
 * chat, so a check-in card can be updated in place. Purposes are `<channel>:<what>`, e.g. 'slack:reply'.
 */
export class ChatMessages {
  constructor(
    private readonly ctx: AppContext,
    private readonly channel: ChatChannel,
  ) {}

  /**
   * Queues a refresh of a staff member's view (Slack's App Home). At most one waits at a time: while one is
   * pending, later changes ride on it (the view is rendered when it is sent). Returns the outbox id, or null
   * when none was needed.
   */
  queueRefresh(
    staff: { id: string; locale: string },
    userId: string,
    what: string,
    payload: MessagePayload,
  ): Promise<string | null> {
    const purpose = this.purpose(what);
    return this.ctx.db.transaction(async (tx) => {
      if (await new ChatMessageRepository(tx).hasPending(this.channel, staff.id, purpose)) return null;
      return this.enqueue(
        new OutboxRepository(tx),
        { staffId: staff.id, userId, locale: staff.locale },
        purpose,
        payload,
      );
    });
  }

  /**
   * Queues a short message to a person. Someone not in the roster is addressed by their chat user id
   * (`<channel>:<id>` stands in as the recipient).
   */
  queueReply(to: ChatRecipient, what: string, payload: MessagePayload): Promise<string | null> {
    return this.enqueue(new OutboxRepository(this.ctx.db), to, this.purpose(what), payload);
  }

  /** The newest check-in message the platform accepted for an address (the card a new one may update). */
  lastSent(address: string): Promise<SentMessage | undefined> {
    return new ChatMessageRepository(this.ctx.db).lastSent(this.channel, address);
  }

  /** Every message shown in one chat message (a card updated in place), oldest first. */
  shownIn(address: string, providerMessageId: string): Promise<SentMessage[]> {
    return new ChatMessageRepository(this.ctx.db).shownIn(this.channel, address, providerMessageId);
  }

  private purpose(what: string): string {
    return `${ownPurposePrefix(this.channel)}${what}`;
  }

  private enqueue(
    outbox: OutboxRepository,
    to: ChatRecipient,
    purpose: string,
    payload: MessagePayload,
  ): Promise<string | null> {
    const now = this.ctx.clock();
    const id = this.ctx.ids();
    const recipient = to.staffId ?? `${this.channel}:${to.userId}`;
    return outbox.enqueue({
      id,
      // One per change: a message already sent says nothing about what changed since.
      idempotencyKey: outboxKey({ recipient: `staff:${recipient}`, purpose, period: String(now), step: id }),
      channel: this.channel,
      recipientKind: 'staff',
      recipientId: recipient,
      address: to.userId,
      purpose,
      locale: to.locale,
      payload,
      createdAt: now,
    });
  }
}
