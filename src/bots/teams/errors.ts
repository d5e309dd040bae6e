import { parseRetryAfter } from '../../delivery/backoff.js';
import type { SendResult } from '../../delivery/transport.js';

type Failure = Exclude<SendResult, { ok: true }>;

/**
 * Bot Connector answers worth another try: throttled (429), a conflicting concurrent write to the same
 * conversation (412), and the gateway errors Teams returns while a service is busy (502, 504; plus 500, 503).
 */
const TRANSIENT = new Set([412, 429, 500, 502, 503, 504]);

interface ConnectorError {
  name?: unknown;
  status?: unknown;
  response?: { headers?: { get?(name: string): string | null } };
  cause?: { code?: unknown };
}

/** The HTTP status of a failed Bot Connector call, when the SDK got an answer. */
export function teamsStatus(err: unknown): number | undefined {
  const status = (err as ConnectorError)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Classifies a Bot Connector failure for the relay. 403 means the app was uninstalled or blocked by the
 * person: permanent, so the relay stops and the person is marked unreachable in Teams. Other 4xx are
 * permanent too (a malformed card does not get better). No answer at all (network) is transient and may
 * have been delivered.
 */
export function classifyTeamsError(err: unknown, now: number): Failure {
  const status = teamsStatus(err);
  if (status === undefined) return { ok: false, kind: 'transient', reason: 'network', maybeDelivered: true };
  if (TRANSIENT.has(status)) {
    const retryAfter = parseRetryAfter(
      (err as ConnectorError).response?.headers?.get?.('retry-after') ?? null,
      now,
    );
    return {
      ok: false,
      kind: 'transient',
      reason: status === 429 ? 'rate_limited' : `http_${status}`,
      code: String(status),
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    };
  }
  return {
    ok: false,
    kind: 'permanent',
    reason: status === 403 ? 'forbidden' : `http_${status}`,
    code: String(status),
  };
}
