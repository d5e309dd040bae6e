import { parseRetryAfter } from '../../delivery/backoff.js';
import { classifyHttpStatus, type SendResult } from '../../delivery/transport.js';

type Failure = Exclude<SendResult, { ok: true }>;

/**
 * Slack error codes that will not get better by retrying the same message. The relay stops at once on these;
 * an admin fixes the roster (wrong or deactivated user), the channel, or the token.
 */
// @slack/web-api's ErrorCode values, spelled out so this module needs no runtime import of the SDK.
const ErrorCode = {
  RequestError: 'slack_webapi_request_error',
  HTTPError: 'slack_webapi_http_error',
  PlatformError: 'slack_webapi_platform_error',
  RateLimitedError: 'slack_webapi_rate_limited_error',
} as const;

const PERMANENT = new Set([
  'channel_not_found',
  'account_inactive',
  'not_in_channel',
  'is_archived',
  'user_not_found',
  'users_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'msg_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'restricted_action',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
]);

/** Slack error codes that mean "try again later". */
const TRANSIENT = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

interface SlackishError {
  code?: unknown;
  data?: { error?: unknown };
  retryAfter?: unknown;
  statusCode?: unknown;
  headers?: Record<string, string>;
}

/** The platform error code of a Web API error ('channel_not_found'), if it has one. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as SlackishError;
  return e?.code === ErrorCode.PlatformError && typeof e.data?.error === 'string' ? e.data.error : undefined;
}

/**
 * Classifies a Web API failure for the relay: 429 (`rejectRateLimitedCalls`) → transient with Retry-After,
 * listed platform errors → permanent, 5xx and network → transient. Unknown platform errors are permanent:
 * retrying a message Slack refused would only repeat the refusal.
 */
export function classifySlackError(err: unknown, now: number): Failure {
  const e = (err ?? {}) as SlackishError;
  switch (e.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = Number(e.retryAfter);
      return {
        ok: false,
        kind: 'transient',
        reason: 'rate_limited',
        code: 'ratelimited',
        ...(Number.isFinite(seconds) ? { retryAfterMs: Math.max(0, seconds) * 1000 } : {}),
      };
    }
    case ErrorCode.PlatformError: {
      const code = slackErrorCode(err) ?? 'unknown';
      if (TRANSIENT.has(code)) return { ok: false, kind: 'transient', reason: code, code };
      return { ok: false, kind: 'permanent', reason: PERMANENT.has(code) ? code : `slack_${code}`, code };
    }
    case ErrorCode.HTTPError: {
      const status = Number(e.statusCode);
      const retryAfter = parseRetryAfter(e.headers?.['retry-after'] ?? null, now);
      return (
        classifyHttpStatus(status, retryAfter) ?? { ok: false, kind: 'transient', reason: `http_${status}` }
      );
    }
    case ErrorCode.RequestError:
      return { ok: false, kind: 'transient', reason: 'network' };
    default:
      return { ok: false, kind: 'transient', reason: 'unknown' };
  }
}
