import type { MessagePayload } from '../messages.js';
import type { Channel } from '../store/schema/index.js';

/** A message the relay hands to a channel's transport. */
export interface OutboundMessage {
  id: string;
  idempotencyKey: string;
  channel: Channel;
  recipientId: string;
  /** Platform address: E.164 phone, Slack user/channel id, Teams conversation id, simulator id. */
  address: string;
  locale: string;
  payload: MessagePayload;
  /** Rendered text when the outbox row already has it (SMS renders at enqueue to count segments). */
  body?: string | null;
  urgent: boolean;
  /**
   * The previous attempt may have reached the platform (its relay died mid-send). A transport that can
   * check (e.g. look the idempotency key up) should look before sending again.
   */
  uncertain?: boolean;
}

/**
 * How a send went. Transports classify platform errors: `transient` is retried with backoff (honouring
 * `retryAfterMs`), `permanent` stops at once. Example: Twilio 21610 → `{ ok: false, kind: 'permanent',
 * code: '21610', reason: 'unsubscribed' }`.
 */
export type SendResult =
  | { ok: true; providerMessageId?: string }
  | { ok: false; kind: 'transient'; reason: string; code?: string; retryAfterMs?: number }
  | { ok: false; kind: 'permanent'; reason: string; code?: string };

/** One per channel: the local simulator, Slack, Teams, Twilio SMS. */
export interface Transport {
  channel: Channel;
  send(message: OutboundMessage): Promise<SendResult>;
}
