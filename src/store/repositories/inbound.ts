import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import type { Channel, inboundEvents } from '../schema/index.js';
import { Repository, setLater } from '../store.js';

export type InboundEventRow = typeof inboundEvents.$inferSelect;

/** Inbound platform events, each recorded once by its platform id (MessageSid, event_id, activity id). */
export class InboundEventRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  /**
   * Records an event and returns true only the first time its (channel, platform id) is seen. Atomic through
   * the primary key, so two copies arriving together (two processes, two connections) yield one true.
   */
  async recordOnce(channel: Channel, platformId: string, at: number): Promise<boolean> {
    const { inboundEvents } = this.t;
    // Once per text and click: compiled once.
    const query = this.prepared<unknown>('inbound_record_once', () =>
      this.db
        .insert(inboundEvents)
        .values({
          id: sql.placeholder('id'),
          channel: sql.placeholder('channel'),
          receivedAt: sql.placeholder('at'),
        })
        .onConflictDoNothing(),
    );
    return this.dialect.affected(await query.execute({ id: `${channel}:${platformId}`, channel, at })) === 1;
  }

  /** Marks a recorded event processed, or failed with a short error code (no message text). */
  async finish(
    channel: Channel,
    platformId: string,
    status: 'processed' | 'failed',
    error?: string,
  ): Promise<void> {
    const { inboundEvents } = this.t;
    const query = this.prepared<unknown>('inbound_finish', () =>
      this.db
        .update(inboundEvents)
        .set({ status: setLater<'processed' | 'failed'>('status'), error: setLater<string | null>('error') })
        .where(eq(inboundEvents.id, sql.placeholder('id'))),
    );
    await query.execute({ status, error: error ?? null, id: `${channel}:${platformId}` });
  }

  async get(channel: Channel, platformId: string): Promise<InboundEventRow | undefined> {
    const { inboundEvents } = this.t;
    return (
      await this.db
        .select()
        .from(inboundEvents)
        .where(eq(inboundEvents.id, `${channel}:${platformId}`))
    )[0];
  }

  /**
   * Removes an event's record after its handling failed, so the platform's retry (or Twilio's fallback URL)
   * is processed instead of being taken for a duplicate.
   */
  async forget(channel: Channel, platformId: string): Promise<void> {
    const { inboundEvents } = this.t;
    await this.db.delete(inboundEvents).where(eq(inboundEvents.id, `${channel}:${platformId}`));
  }
}
