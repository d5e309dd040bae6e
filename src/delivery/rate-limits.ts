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
  /** Every message of the channel together, whatever the conversation (Teams: per app per tenant). */
  perTenant: RateLimit.optional(),
  senders: z.number().int().positive().optional(),
});
export type ChannelRateLimits = z.infer<typeof ChannelRateLimits>;

/** Rate limits by channel; a channel without an entry is not limited. */
export const RateLimits = z.partialRecord(z.enum(['local', 'slack', 'teams', 'sms']), ChannelRateLimits);
export type RateLimits = z.infer<typeof RateLimits>;

/**
 * Platform defaults: Twilio long code 1 message/s per sender; Slack about 1 message/s per channel;
 * Teams 7 messages/s per conversation and 40 messages/s over the whole tenant. A Twilio toll-free or short code
 * sender allows more: configure it. Teams also limits longer windows (8 per 2 s, 60 per 30 s per thread); a
 * district that hits them lowers the rate.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  sms: { perSender: { perSecond: 1, burst: 1 } },
  slack: { perConversation: { perSecond: 1, burst: 1 } },
  // Burst 1 spaces messages out, so no sliding one-second window holds more than the rate. Microsoft allows
  // 50 requests/s per app per tenant, counting every call the bot makes (roster look-ups, updates): sends
  // keep 10 of them free.
  teams: { perConversation: { perSecond: 7, burst: 1 }, perTenant: { perSecond: 40, burst: 1 } },
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
    const tenant = limits[channel]?.perTenant;
    limits[channel] = {
      ...limits[channel],
      [scope]: { perSecond: s.perSecond ?? base.perSecond, burst: s.burst ?? base.burst },
      ...(channel === 'sms' && s.senders ? { senders: s.senders } : {}),
      ...(channel === 'teams' && s.tenantPerSecond
        ? { perTenant: { perSecond: s.tenantPerSecond, burst: tenant?.burst ?? 1 } }
        : {}),
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

/**
 * How late a message may take its reserved turn and keep it: the relay looks for due rows once a second (its
 * poll), so a row held past its wait is claimed up to that late in the ordinary course.
 */
export const LATE_TURN_MS = 1_000;

/** What the relay tells the limiter about a message besides where it goes. */
export interface ReserveOptions {
  /**
   * The message's id: a message told to wait keeps the token it waits for, and taking its turn later (same id)
   * costs no second token. Without an id every call takes a fresh token.
   */
  id?: string;
  /**
   * A crisis reply or an answer to the family's own text: it does not queue behind the routine messages
   * already waiting (a weekly send-out), but shares a bucket of its own at the same rate, so routine and
   * priority traffic together stay within twice the rate.
   */
  priority?: boolean;
}

/**
 * Token buckets keyed by channel + sender, channel + conversation and channel (tenant), driven by the injected
 * clock's time. A message that must wait reserves its token at once (the bucket goes into debt), so every
 * waiting message has its own turn, one token apart, across rounds: a held row is written back once, for the
 * moment its token is there, instead of coming back with the others to find the token taken.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Messages told to wait, and when their reserved token is there. */
  private readonly turns = new Map<string, number>();

  /** Instances sending through the same platform accounts: each sends at its share of every rate. */
  private instances = 1;

  constructor(private readonly limits: RateLimits | false) {}

  /**
   * Sends at 1/`instances` of every configured rate from now on (instances sharing one platform account and
   * its limits). Tokens saved up are kept; they refill at the new rate.
   */
  share(instances: number): void {
    this.instances = Math.max(1, Math.floor(instances));
  }

  /**
   * Returns 0 when the message may go now (its token taken), else the milliseconds until its reserved token
   * (the caller keeps the row pending until then and asks again with the same id).
   */
  reserve(
    channel: Channel,
    sender: string,
    conversation: string,
    now: number,
    options: ReserveOptions = {},
  ): number {
    if (this.limits === false) return 0;
    const limits = this.limits[channel];
    if (!limits) return 0;
    const { id, priority } = options;
    if (this.turns.size > 100_000) this.prune(now);
    const turn = id === undefined ? undefined : this.turns.get(id);
    if (turn !== undefined) {
      if (turn > now) return turn - now;
      this.turns.delete(id!);
      // A turn taken long after its time (its row waited behind a later turn of the same conversation) lost
      // its slot: the bucket has refilled past it and given the later slots to other messages, so sending on
      // it now would go over the rate. Like any unused token beyond the burst, it is gone; the row queues anew.
      if (now - turn < Math.max(LATE_TURN_MS, this.tokenMs(limits))) return 0;
    }
    const checks: Array<[Bucket, RateLimit]> = [];
    const lane = priority ? '|p' : '';
    const senderKey =
      limits.senders && limits.senders > 1 ? `${sender}#${bucketOf(conversation, limits.senders)}` : sender;
    if (limits.perSender)
      checks.push([this.bucket(`${channel}|s|${senderKey}${lane}`, limits.perSender, now), limits.perSender]);
    if (limits.perConversation)
      checks.push([
        this.bucket(`${channel}|c|${conversation}${lane}`, limits.perConversation, now),
        limits.perConversation,
      ]);
    if (limits.perTenant)
      checks.push([this.bucket(`${channel}|t${lane}`, limits.perTenant, now), limits.perTenant]);
    let wait = 0;
    for (const [b, l] of checks)
      if (b.tokens < 1)
        wait = Math.max(wait, Math.ceil(((1 - b.tokens) / (l.perSecond / this.instances)) * 1000));
    for (const [b] of checks) b.tokens -= 1;
    if (wait > 0 && id !== undefined) this.turns.set(id, now + wait);
    return wait;
  }

  /** Milliseconds between two tokens of the channel's slowest bucket at this instance's share. */
  private tokenMs(limits: ChannelRateLimits): number {
    const rates = [limits.perSender, limits.perConversation, limits.perTenant].flatMap((l) =>
      l ? [l.perSecond] : [],
    );
    return rates.length ? (1000 * this.instances) / Math.min(...rates) : 0;
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
    b.tokens = Math.min(limit.burst, b.tokens + (elapsed * limit.perSecond) / this.instances);
    b.at = now;
    return b;
  }

  /** Forgets buckets idle for a minute and out of debt (a refilled bucket equals a new one), and old turns. */
  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > 60_000 && b.tokens >= 0) this.buckets.delete(k);
    for (const [id, turn] of this.turns) if (now - turn > 600_000) this.turns.delete(id);
  }
}
