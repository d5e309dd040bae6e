import { z } from 'zod';
import type { RateLimitSettings } from '../config.js';
import type { Channel } from '../store/schema/index.js';

/** A token bucket: `perSecond` tokens refill each second, at most `burst` saved up. */
export const RateLimit = z.object({ perSecond: z.number().positive(), burst: z.number().int().positive() });
export type RateLimit = z.infer<typeof RateLimit>;

/**
 * Limits of one channel: per sending identity (Twilio number) and per conversation (Slack channel, Teams chat).
 * `senders`: how many identities the platform spreads conversations over, sticky per recipient (a Twilio
 * Messaging Service with N numbers): each gets its own `perSender` bucket, so N numbers carry N × the rate.
 */
export const ChannelRateLimits = z.object({
  perSender: RateLimit.optional(),
  perConversation: RateLimit.optional(),
  senders: z.number().int().positive().optional(),
});
export type ChannelRateLimits = z.infer<typeof ChannelRateLimits>;

/** Rate limits by channel; a channel without an entry is not limited. */
export const RateLimits = z.partialRecord(z.enum(['local', 'slack', 'teams', 'sms']), ChannelRateLimits);
export type RateLimits = z.infer<typeof RateLimits>;

/**
 * Platform defaults: Twilio long code 1 message/s per sender; Slack about 1 message/s per channel;
 * Teams 7 messages/s per conversation. A Twilio toll-free or short code sender allows more: configure it.
 * Teams also limits longer windows (8 per 2 s, 60 per 30 s per thread); a district that hits them lowers the rate.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  sms: { perSender: { perSecond: 1, burst: 1 } },
  slack: { perConversation: { perSecond: 1, burst: 1 } },
  // Burst 1 spaces messages out, so no sliding one-second window holds more than the rate.
  teams: { perConversation: { perSecond: 7, burst: 1 } },
};

const SCOPE = { sms: 'perSender', slack: 'perConversation', teams: 'perConversation' } as const;

/**
 * The relay's limits: platform defaults with the admin's overrides laid over them. Example:
 * `rateLimitsFrom({ sms: { senders: 3 } })` → SMS 1 msg/s on each of 3 numbers.
 */
export function rateLimitsFrom(settings: RateLimitSettings = {}): RateLimits {
  const limits: RateLimits = structuredClone(DEFAULT_RATE_LIMITS);
  for (const channel of ['sms', 'slack', 'teams'] as const) {
    const s = settings[channel];
    if (!s) continue;
    const scope = SCOPE[channel];
    const base = limits[channel]?.[scope] ?? { perSecond: 1, burst: 1 };
    limits[channel] = {
      ...limits[channel],
      [scope]: { perSecond: s.perSecond ?? base.perSecond, burst: s.burst ?? base.burst },
      ...(channel === 'sms' && s.senders ? { senders: s.senders } : {}),
    };
  }
  return limits;
}

/** A stable small hash, so a recipient keeps the same sender bucket (as Twilio's sticky sender does). */
function bucketOf(conversation: string, senders: number): number {
  let h = 2166136261;
  for (let i = 0; i < conversation.length; i++) h = Math.imul(h ^ conversation.charCodeAt(i), 16777619);
  return (h >>> 0) % senders;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets keyed by channel + sender and channel + conversation, driven by the injected clock's time. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limits: RateLimits | false) {}

  /**
   * Takes one token from each bucket that applies, or none. Returns 0 when the message may go now, else the
   * milliseconds until it may (the caller keeps the row pending until then). `ahead` counts the messages
   * already told to wait for each bucket in this round: each later one waits one token longer, so a batch
   * comes back spread over time instead of all at once for a single token.
   */
  reserve(
    channel: Channel,
    sender: string,
    conversation: string,
    now: number,
    ahead?: Map<string, number>,
  ): number {
    if (this.limits === false) return 0;
    const limits = this.limits[channel];
    if (!limits) return 0;
    const checks: Array<[Bucket, RateLimit, string]> = [];
    const senderKey =
      limits.senders && limits.senders > 1 ? `${sender}#${bucketOf(conversation, limits.senders)}` : sender;
    if (limits.perSender) {
      const key = `${channel}|s|${senderKey}`;
      checks.push([this.bucket(key, limits.perSender, now), limits.perSender, key]);
    }
    if (limits.perConversation) {
      const key = `${channel}|c|${conversation}`;
      checks.push([this.bucket(key, limits.perConversation, now), limits.perConversation, key]);
    }
    let wait = 0;
    for (const [b, l, key] of checks) {
      if (b.tokens >= 1) continue;
      const queued = ahead?.get(key) ?? 0;
      wait = Math.max(wait, Math.ceil(((1 + queued - b.tokens) / l.perSecond) * 1000));
    }
    if (wait > 0) {
      for (const [b, , key] of checks) if (b.tokens < 1) ahead?.set(key, (ahead.get(key) ?? 0) + 1);
      return wait;
    }
    for (const [b] of checks) b.tokens -= 1;
    return 0;
  }

  private bucket(key: string, limit: RateLimit, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 50_000) this.prune(now);
      b = { tokens: limit.burst, at: now };
      this.buckets.set(key, b);
      return b;
    }
    const elapsed = Math.max(0, now - b.at) / 1000;
    b.tokens = Math.min(limit.burst, b.tokens + elapsed * limit.perSecond);
    b.at = now;
    return b;
  }

  /** Forgets buckets idle for a minute: a refilled bucket equals a new one. */
  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > 60_000) this.buckets.delete(k);
  }
}
