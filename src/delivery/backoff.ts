/** Exponential backoff bounds: the n-th retry waits a random time in [0, min(capMs, baseMs * 2^(n-1))). */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 15 * 60_000 };
/** Urgent messages retry at most 5 minutes apart, so one leaves within minutes of the platform's return. */
export const URGENT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 5 * 60_000 };

/** A source of numbers in [0, 1); injected so tests choose the jitter. */
export type RandomSource = () => number;

/**
 * Delay before retry number `attempt` (1-based): full jitter (AWS architecture blog), never shorter than
 * the platform's Retry-After. Example: attempt 3, base 2 s, random 0.5 → 4 s.
 */
export function retryDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: RandomSource,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = Math.floor(random() * ceiling);
  return Math.max(retryAfterMs ?? 0, jitter);
}

/** Parses an HTTP Retry-After header (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
