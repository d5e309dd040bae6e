import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import { type Channel, inboundEvents } from '../schema/index.js';

export type InboundEventRow = typeof inboundEvents.$inferSelect;

/** Inbound platform events, each recorded once by its platform id (MessageSid, event_id, activity id). */
export class InboundEventRepository {
  constructor(private readonly db: DbOrTx) {}

  /**
   * Records an event and returns true only the first time its (channel, platform id) is seen. Atomic through
   * the primary key, so two copies arriving together (two processes, two connections) yield one true.
   */
  recordOnce(channel: Channel, platformId: string, at: number): boolean {
    const r = this.db
      .insert(inboundEvents)
      .values({ id: `${channel}:${platformId}`, channel, receivedAt: at })
      .onConflictDoNothing()
      .run();
    return r.changes === 1;
  }

  /** Marks a recorded event processed, or failed with a short error code (no message text). */
  finish(channel: Channel, platformId: string, status: 'processed' | 'failed', error?: string): void {
    this.db
      .update(inboundEvents)
      .set({ status, error: error ?? null })
      .where(eq(inboundEvents.id, `${channel}:${platformId}`))
      .run();
  }

  get(channel: Channel, platformId: string): InboundEventRow | undefined {
    return this.db
      .select()
      .from(inboundEvents)
      .where(eq(inboundEvents.id, `${channel}:${platformId}`))
      .get();
  }

  /**
   * Removes an event's record after its handling failed, so the platform's retry (or Twilio's fallback URL)
   * is processed instead of being taken for a duplicate.
   */
  forget(channel: Channel, platformId: string): void {
    this.db
      .delete(inboundEvents)
      .where(eq(inboundEvents.id, `${channel}:${platformId}`))
      .run();
  }
}
