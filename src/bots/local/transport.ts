import type { OutboundMessage, Transport } from '../../delivery/transport.js';
import type { Channel } from '../../vocabulary.js';

/** The last check before "sending" (the SMS consent rule), shared with the Twilio transport. */
export type PrepareOutbound = (message: OutboundMessage) => Prepared | Promise<Prepared>;
type Prepared = { ok: true; body: string } | { ok: false; reason: string; retryAfterMs?: number };

/**
 * Delivers to the simulator page: the message is already in the outbox, which the page reads, so sending
 * only confirms it. Used for channel 'local', and for 'sms' when Twilio is not configured, where `prepare`
 * applies the same consent check and body rendering as a real text.
 */
export function createLocalTransport(channel: Channel = 'local', prepare?: PrepareOutbound): Transport {
  return {
    channel,
    async send(message) {
      const prepared = await prepare?.(message);
      if (prepared && !prepared.ok)
        // "Not yet" (a consent notice must leave first) waits, as it does in front of Twilio.
        return prepared.retryAfterMs === undefined
          ? { ok: false, kind: 'permanent', reason: prepared.reason }
          : { ok: false, kind: 'transient', reason: prepared.reason, retryAfterMs: prepared.retryAfterMs };
      return { ok: true, providerMessageId: `local-${message.id}` };
    },
  };
}
