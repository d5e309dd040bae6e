import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type twilio from 'twilio';
import type RequestClientType from 'twilio/lib/base/RequestClient.js';
import type { TwilioConfig } from '../../config.js';
import { parseRetryAfter } from '../../delivery/backoff.js';
import type { OutboundMessage, SendResult, Transport } from '../../delivery/transport.js';
import { type Clock, systemClock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { errorName } from '../../lib/logger.js';

/** Twilio error codes that say something lasting about the number. */
export const TWILIO_NUMBER_ERRORS: Record<string, string> = {
  '21610': 'unsubscribed',
  '21211': 'invalid_number',
  '21614': 'not_sms_capable',
};

/** Hooks the family SMS service plugs into the transport (consent check, final body, number errors). */
export interface TwilioTransportOptions {
  /** Base of the status callback URL: `${publicBaseUrl}/sms/status`. */
  publicBaseUrl?: string;
  clock?: Clock;
  /**
   * Last check and final body; `{ ok: false }` stops the send without calling Twilio (with `retryAfterMs`:
   * not yet, retried). `sentSince` and `alreadyRecorded` serve the look-up before resending an uncertain row.
   */
  prepare?: (message: OutboundMessage) => Promise<PreparedOutbound> | PreparedOutbound;
  /**
   * Called for a permanent error with a Twilio code (21610, 21211, 21614, ...); the error it may throw is
   * logged by name and the send still ends permanently.
   */
  onPermanentError?: (message: OutboundMessage, code: string) => Promise<void> | void;
  /** Twilio REST API base, for tests against a local server (msw intercepts the real one). */
  client?: ReturnType<typeof twilio>;
}

/** What `prepare` answers: send this body, refuse, or retry later. */
export type PreparedOutbound =
  | {
      ok: true;
      body: string;
      /** The earliest time an earlier attempt of this message can have reached Twilio. */
      sentSince?: number;
      /** True when an outbox row already holds this Twilio sid (another message's). */
      alreadyRecorded?: (sid: string) => Promise<boolean> | boolean;
    }
  | { ok: false; reason: string; retryAfterMs?: number };

/** How many recent messages to a number the look-up before a resend reads. */
export const RESEND_LOOKUP_LIMIT = 20;

type ResponseHeaders = Record<string, string | string[] | undefined>;
const lastHeaders = new AsyncLocalStorage<{ headers?: ResponseHeaders }>();

let sdk: { twilio: typeof twilio; RequestClient: typeof RequestClientType } | undefined;

/**
 * The Twilio SDK, loaded on first use: it costs about a third of a second at start-up, which a service
 * without Twilio credentials should not pay. It is CommonJS, so it loads synchronously and a failure throws
 * here, at start-up, where the transport is built.
 */
export function loadTwilioSdk(): { twilio: typeof twilio; RequestClient: typeof RequestClientType } {
  if (!sdk) {
    const loaded = createRequire(import.meta.url)('twilio') as typeof twilio;
    /** Records each response's headers in the current send's async context, so Retry-After is readable. */
    class HeaderKeepingRequestClient extends loaded.RequestClient {
      override async request<TData>(opts: RequestClientType.RequestOptions<TData>) {
        const res = await super.request<TData>(opts);
        const store = lastHeaders.getStore();
        if (store) store.headers = res.headers as ResponseHeaders;
        return res;
      }
    }
    sdk = { twilio: loaded, RequestClient: HeaderKeepingRequestClient };
  }
  return sdk;
}

interface TwilioLikeError {
  status?: number;
  code?: number | string;
}

/** System error codes of a connection that was never made: the request surely did not reach Twilio. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** System error codes of a request that ran out of time (axios, Node sockets). */
const TIMED_OUT = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** The system error code of a failed request, on the error or its causes. */
function systemCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 3; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function header(headers: ResponseHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name] ?? headers?.[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Classifies a failed Twilio call. 429 / 20429 / 5xx / network errors are transient (Retry-After
 * honoured); 401 is transient too (an operator's credential problem must not lose families' messages);
 * 21610, 21211, 21614 and any other 4xx are permanent. A timeout or network error without an answer is
 * `maybeDelivered` (Twilio may have taken the text: the next attempt looks for it before resending),
 * unless the connection was never made; an HTTP error answer means Twilio did not take it.
 */
export function classifyTwilioError(
  err: unknown,
  headers: ResponseHeaders | undefined,
  now: number,
): SendResult {
  const e = (err ?? {}) as TwilioLikeError;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = e.code !== undefined && e.code !== null ? String(e.code) : undefined;
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), now);
  const retry = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (status === undefined) {
    const sys = systemCode(err) ?? '';
    return {
      ok: false,
      kind: 'transient',
      reason: TIMED_OUT.has(sys) ? 'timeout' : 'network',
      ...(code ? { code } : {}),
      ...(NOT_CONNECTED.has(sys) ? {} : { maybeDelivered: true }),
    };
  }
  if (status === 429 || code === '20429')
    return { ok: false, kind: 'transient', reason: 'rate_limited', code: code ?? '429', ...retry };
  if (status >= 500)
    return { ok: false, kind: 'transient', reason: `http_${status}`, code: code ?? String(status), ...retry };
  if (status === 401)
    return { ok: false, kind: 'transient', reason: 'twilio_auth', code: code ?? '401', ...retry };
  const known = code ? TWILIO_NUMBER_ERRORS[code] : undefined;
  return { ok: false, kind: 'permanent', reason: known ?? `http_${status}`, code: code ?? String(status) };
}

function defaultClient(config: TwilioConfig): ReturnType<typeof twilio> {
  const { twilio: connect, RequestClient } = loadTwilioSdk();
  return connect(config.accountSid, config.authToken, { httpClient: new RequestClient(), autoRetry: false });
}

/**
 * The SMS transport: sends with the Twilio SDK from the Messaging Service (preferred: Advanced Opt-Out,
 * sender pools) or the from-number, with a status callback to `${publicBaseUrl}/sms/status`.
 * Example: `createTwilioTransport(config.twilio, logger, { publicBaseUrl, prepare: (m) => sms.prepareOutbound(m) })`.
 */
export function createTwilioTransport(
  config: TwilioConfig,
  logger: Logger,
  options: TwilioTransportOptions = {},
): Transport {
  const client = options.client ?? defaultClient(config);
  const clock = options.clock ?? systemClock;
  const sender = config.messagingServiceSid
    ? { messagingServiceSid: config.messagingServiceSid }
    : { from: config.fromNumber as string };
  const statusCallback = options.publicBaseUrl ? `${options.publicBaseUrl}/sms/status` : undefined;

  /**
   * After a relay died mid-send, the text may already be at Twilio, which has no idempotency key: look for
   * an outbound message to the number with the same body since the row was created, not claimed by another
   * row. A failed look-up sends again (a rare duplicate rather than a lost text). A message Twilio still
   * holds as queued has no DateSent yet and is not found; the relay's lease (60 s) makes that unlikely.
   */
  async function findEarlierCopy(
    to: string,
    prepared: Extract<PreparedOutbound, { ok: true }>,
    outboxId: string,
  ): Promise<string | undefined> {
    try {
      const recent = await client.messages.list({
        to,
        dateSentAfter: new Date(prepared.sentSince ?? 0),
        limit: RESEND_LOOKUP_LIMIT,
      });
      for (const m of recent) {
        if (m.direction.startsWith('inbound') || m.body.trim() !== prepared.body.trim()) continue;
        if (await prepared.alreadyRecorded?.(m.sid)) continue;
        logger.info({ outboxId, messageSid: m.sid }, 'sms: found the earlier copy, not resent');
        return m.sid;
      }
      return undefined;
    } catch (err) {
      logger.warn({ outboxId, err: errorName(err) }, 'sms: look-up before a resend failed; sending again');
      return undefined;
    }
  }

  return {
    channel: 'sms',
    async send(message) {
      const prepared = options.prepare
        ? await options.prepare(message)
        : { ok: true as const, body: message.body ?? '' };
      if (!prepared.ok) {
        if (prepared.retryAfterMs !== undefined)
          return {
            ok: false,
            kind: 'transient',
            reason: prepared.reason,
            retryAfterMs: prepared.retryAfterMs,
          };
        logger.info({ outboxId: message.id, reason: prepared.reason }, 'sms: not sent (consent rule)');
        return { ok: false, kind: 'permanent', reason: prepared.reason };
      }
      if (!prepared.body) return { ok: false, kind: 'permanent', reason: 'sms:empty_body' };
      if (message.uncertain && prepared.sentSince !== undefined) {
        const found = await findEarlierCopy(message.address, prepared, message.id);
        if (found) return { ok: true, providerMessageId: found };
      }
      const store: { headers?: ResponseHeaders } = {};
      try {
        const sent = await lastHeaders.run(store, () =>
          client.messages.create({
            to: message.address,
            body: prepared.body,
            ...sender,
            ...(statusCallback ? { statusCallback } : {}),
          }),
        );
        return { ok: true, providerMessageId: sent.sid };
      } catch (err) {
        const result = classifyTwilioError(err, store.headers, clock());
        if (!result.ok && result.kind === 'permanent' && result.code) {
          logger.warn(
            { outboxId: message.id, code: result.code, reason: result.reason },
            'sms: permanent error',
          );
          try {
            await options.onPermanentError?.(message, result.code);
          } catch (hookErr) {
            // Only the name: a failed query's message carries its parameters, the phone number among them.
            logger.error(
              {
                outboxId: message.id,
                code: result.code,
                err: errorName(hookErr),
              },
              'sms: recording what a permanent error says about the number failed',
            );
          }
        }
        return result;
      }
    },
  };
}
