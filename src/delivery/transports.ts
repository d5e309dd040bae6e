import type { SendResult, Transport } from '../bots/transport.js';
import type { Clock } from '../lib/clock.js';
import type { Channel } from '../store/schema/index.js';
import { parseRetryAfter } from './backoff.js';

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

/** Socket errors that mean no byte of the request reached the server. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The system error code of a failed fetch (undici puts it on `cause`). */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 3; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Options of a transport that POSTs each message as JSON to an HTTP endpoint. */
export interface HttpTransportOptions {
  channel: Channel;
  url: string;
  clock: Clock;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/**
 * A transport for an HTTP messaging API (a webhook bridge, the test API): sends the idempotency key as the
 * `Idempotency-Key` header so an API that honours it de-duplicates a resend after a crash.
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const doFetch = options.fetch ?? fetch;
  return {
    channel: options.channel,
    async send(message) {
      let res: Response;
      try {
        res = await doFetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': message.idempotencyKey,
            ...options.headers,
          },
          body: JSON.stringify({
            id: message.id,
            to: message.address,
            locale: message.locale,
            payload: message.payload,
            body: message.body ?? null,
            urgent: message.urgent,
          }),
        });
      } catch (err) {
        // Unless the connection was never made, the request may have been written and handled.
        const neverSent = NOT_CONNECTED.has(errorCode(err) ?? '');
        return {
          ok: false,
          kind: 'transient',
          reason: 'network',
          ...(neverSent ? {} : { maybeDelivered: true }),
        };
      }
      const json = (await res.json().catch(() => ({}))) as { id?: unknown; sid?: unknown; code?: unknown };
      const code = json.code !== undefined ? String(json.code) : undefined;
      const failure = classifyHttpStatus(
        res.status,
        parseRetryAfter(res.headers.get('retry-after'), options.clock()),
        code,
      );
      if (failure) return failure;
      const id = json.id ?? json.sid;
      return typeof id === 'string' ? { ok: true, providerMessageId: id } : { ok: true };
    },
  };
}
