import type { AppContext } from '../context.js';
import { InboundEventRepository } from '../store/repositories/inbound.js';
import type { Channel } from '../store/schema/index.js';

/**
 * Every inbound platform event is handled at most once (Slack event_id, an interaction's trigger, Twilio
 * MessageSid), also when the platform retries or two copies arrive together.
 */
export class InboundEvents {
  private readonly events: InboundEventRepository;

  constructor(private readonly ctx: AppContext) {
    this.events = new InboundEventRepository(ctx.db);
  }

  /** True only the first time this (channel, platform id) is seen; false for a duplicate, to ignore. */
  firstTime(channel: Channel, platformId: string): Promise<boolean> {
    return this.events.recordOnce(channel, platformId, this.ctx.clock());
  }

  /** Records how handling went, with a short error code (never message text) when it failed. */
  finished(
    channel: Channel,
    platformId: string,
    outcome: 'processed' | 'failed',
    code?: string,
  ): Promise<void> {
    return this.events.finish(channel, platformId, outcome, code);
  }
}
