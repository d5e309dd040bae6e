import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Channel } from '../schema/index.js';
import { Repository } from '../store.js';
import type { OutboxRow } from './outbox.js';

/** The chat messages an escalation's alerts were shown in, read to update them in place. */
export class EscalationAlertRepository extends Repository {
  /**
   * Every outbox row about this escalation that a chat platform accepted and gave a message id (the alert
   * itself and its earlier updates), oldest first.
   */
  async shown(escalationId: string, channels: Channel[]): Promise<OutboxRow[]> {
    const { outbox } = this.t;
    return await this.db
      .select()
      .from(outbox)
      .where(
        and(
          eq(this.dialect.jsonText(outbox.origin, '$.escalationId'), escalationId),
          inArray(outbox.channel, channels),
          inArray(outbox.status, ['sent', 'delivered']),
          isNotNull(outbox.providerMessageId),
        ),
      )
      .orderBy(outbox.sentAt, this.dialect.insertionOrder(outbox));
  }

  /** The platform message ids that a not-yet-sent row of `purpose` about this escalation will edit. */
  async pendingTargets(escalationId: string, purpose: string): Promise<Set<string>> {
    const { outbox } = this.t;
    const rows = (await this.db
      .select({ target: this.dialect.jsonText(outbox.payload, '$.params.message') })
      .from(outbox)
      .where(
        and(
          eq(this.dialect.jsonText(outbox.origin, '$.escalationId'), escalationId),
          eq(outbox.purpose, purpose),
          eq(outbox.status, 'pending'),
        ),
      )) as { target: unknown }[];
    return new Set(rows.flatMap((r) => (typeof r.target === 'string' ? [r.target] : [])));
  }
}
