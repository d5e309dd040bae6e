import { and, desc, eq, inArray, like, not, type SQL } from 'drizzle-orm';
import type { Tables } from '../dialect.js';
import type { Channel } from '../schema/index.js';
import { Repository } from '../store.js';
import type { OutboxRow } from './outbox.js';

// A chat channel (Slack, Teams) shows several outbox messages in one chat message: a check-in card updated in
// place. The platform's id of that chat message is the outbox row's providerMessageId.

/**
 * Outbox purposes a chat adapter gives its own messages (a home view, a short reply): `<channel>:<what>`,
 * e.g. 'slack:home'. They never become part of a check-in card.
 */
export function ownPurposePrefix(channel: Channel): string {
  return `${channel}:`;
}

/** Outbox rows a chat platform has accepted for an address (a DM, a conversation). */
function accepted(t: Tables, channel: Channel, address: string): SQL | undefined {
  const { outbox } = t;
  return and(
    eq(outbox.channel, channel),
    eq(outbox.address, address),
    inArray(outbox.status, ['sent', 'delivered']),
  );
}

/** Messages already shown in a chat channel, read to update a check-in card in place. */
export class ChatMessageRepository extends Repository {
  /**
   * The newest message the platform accepted for an address (the card a new question may update). The
   * adapter's own messages do not count: a home publish or a short reply leaves the card in place.
   */
  async lastSent(channel: Channel, address: string): Promise<OutboxRow | undefined> {
    const { outbox } = this.t;
    return (
      await this.db
        .select()
        .from(outbox)
        .where(
          and(accepted(this.t, channel, address), not(like(outbox.purpose, `${ownPurposePrefix(channel)}%`))),
        )
        .orderBy(desc(outbox.sentAt), desc(this.dialect.insertionOrder(outbox)))
        .limit(1)
    )[0];
  }

  /** Every message shown in one chat message (a card updated in place), oldest first. */
  async shownIn(channel: Channel, address: string, providerMessageId: string): Promise<OutboxRow[]> {
    const { outbox } = this.t;
    return await this.db
      .select()
      .from(outbox)
      .where(and(accepted(this.t, channel, address), eq(outbox.providerMessageId, providerMessageId)))
      .orderBy(outbox.sentAt, this.dialect.insertionOrder(outbox));
  }

  /** Whether a message of this purpose to this staff member still waits in the outbox (not yet claimed). */
  async hasPending(channel: Channel, staffId: string, purpose: string): Promise<boolean> {
    const { outbox } = this.t;
    const [row] = await this.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          eq(outbox.channel, channel),
          eq(outbox.recipientKind, 'staff'),
          eq(outbox.recipientId, staffId),
          eq(outbox.purpose, purpose),
          eq(outbox.status, 'pending'),
        ),
      )
      .limit(1);
    return row !== undefined;
  }
}
