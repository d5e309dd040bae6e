import type { Channel } from '../../store/schema/index.js';
import type { OutboundMessage, Transport } from '../transport.js';

/** The last check before "sending" (the SMS consent rule), shared with the Twilio transport. */
export type PrepareOutbound = (
  message: OutboundMessage,
) => { ok: true; body: string } | { ok: false; reason: string };

/**
 * Delivers to the simulator page: the message is already in the outbox, which the page reads, so sending
 * only confirms it. Used for channel 'local', and for 'sms' when Twilio is not configured, where `prepare`
 * applies the same consent check and body rendering as a real text.
 */
export function createLocalTransport(channel: Channel = 'local', prepare?: PrepareOutbound): Transport {
  return {
    channel,
    async send(message) {
      const prepared = prepare?.(message);
      if (prepared && !prepared.ok) return { ok: false, kind: 'permanent', reason: prepared.reason };
      return { ok: true, providerMessageId: `local-${message.id}` };
    },
  };
}
