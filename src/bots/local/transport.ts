import type { Channel } from '../../store/schema/index.js';
import type { Transport } from '../transport.js';

/**
 * Delivers to the simulator page: the message is already in the outbox, which the page reads, so sending
 * only confirms it. Used for channel 'local', and for 'sms' when Twilio is not configured.
 */
export function createLocalTransport(channel: Channel = 'local'): Transport {
  return {
    channel,
    async send(message) {
      return { ok: true, providerMessageId: `local-${message.id}` };
    },
  };
}
