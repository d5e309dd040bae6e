import type { MessageOrigin, MessagePayload } from '../messages.js';
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
  /** What the message belongs to (check-in step, student, escalation), for channels that group messages. */
  origin?: MessageOrigin | null;
  /** Rendered text when the outbox row already has it (SMS renders at enqueue to count segments). */
  body?: string | null;
  urgent: boolean;
  /**
   * An earlier attempt may have reached the platform: its relay died mid-send, or a transport answered
   * `maybeDelivered` (a timeout). A transport that can check (e.g. look the idempotency key or an earlier
   * copy up) should look before sending again.
   */
  uncertain?: boolean;
}

/**
 * How a send went. Transports classify platform errors: `transient` is retried with backoff (honouring
 * `retryAfterMs`), `permanent` stops at once. Example: Twilio 21610 → `{ ok: false, kind: 'permanent',
 * code: '21610', reason: 'unsubscribed' }`; a socket timeout after the request was written →
 * `{ ok: false, kind: 'transient', reason: 'timeout', maybeDelivered: true }`.
 */
export type SendResult =
  | { ok: true; providerMessageId?: string }
  | {
      ok: false;
      kind: 'transient';
      reason: string;
      code?: string;
      retryAfterMs?: number;
      /**
       * The failure is ambiguous: the platform may have accepted the message (a timeout or network error
       * after the request was written, no answer read). The relay remembers it on the row and passes
       * `uncertain: true` on every later attempt, so a transport that can look up an earlier copy does.
       * Leave it unset when the platform surely did not take the message (an HTTP error answer, a refused
       * connection).
       */
      maybeDelivered?: boolean;
    }
  | { ok: false; kind: 'permanent'; reason: string; code?: string };

/** One per channel: the local simulator, Slack, Teams, Twilio SMS. */
export interface Transport {
  channel: Channel;
  send(message: OutboundMessage): Promise<SendResult>;
}

/** Channel → transport. The relay asks it for the transport of each row's channel. */
export class TransportRegistry {
  private readonly byChannel = new Map<Channel, Transport>();

  constructor(transports: Transport[] = []) {
    for (const t of transports) this.register(t);
  }

  /** Adds or replaces the transport of `transport.channel`. */
  register(transport: Transport): this {
    this.byChannel.set(transport.channel, transport);
    return this;
  }

  get(channel: Channel): Transport | undefined {
    return this.byChannel.get(channel);
  }

  channels(): Channel[] {
    return [...this.byChannel.keys()];
  }
}

/**
 * Classifies an HTTP answer the way platforms mean it: 2xx sent; 429, 408, 425 and 5xx transient (with
 * Retry-After); any other 4xx permanent. `code` is the platform's error code when the body has one.
 */
export function classifyHttpStatus(
  status: number,
  retryAfterMs: number | undefined,
  code?: string,
): Exclude<SendResult, { ok: true }> | null {
  if (status >= 200 && status < 300) return null;
  const withCode = code ? { code } : { code: String(status) };
  if (status === 429 || status === 408 || status === 425 || status >= 500) {
    return {
      ok: false,
      kind: 'transient',
      reason: status === 429 ? 'rate_limited' : `http_${status}`,
      ...withCode,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { ok: false, kind: 'permanent', reason: `http_${status}`, ...withCode };
}
