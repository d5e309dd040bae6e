import type { AppContext } from '../context.js';
import { errorName } from '../lib/logger.js';
import type { MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import {
  type ClaimedOutboxRow,
  failureReason,
  OutboxRepository,
  type OutboxRow,
} from '../store/repositories/outbox.js';
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  type RandomSource,
  retryDelay,
  URGENT_BACKOFF,
} from './backoff.js';
import {
  isSendingWindow,
  nextWindowOpening,
  type QuietHours,
  type QuietHoursExemption,
  quietHoursApply,
  quietHoursExemption,
} from './quiet-hours.js';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimits } from './rate-limits.js';
import type { OutboundMessage, SendResult, TransportRegistry } from './transport.js';

/** How to run a relay. Only `ctx` and `transports` are required. */
export interface RelayOptions {
  ctx: AppContext;
  transports: TransportRegistry;
  /**
   * Token-bucket limits per channel; `false` turns them off (bench, tests). Default: platform limits. The
   * service passes `rateLimitsFrom(config.rateLimits)`.
   */
  rateLimits?: RateLimits | false;
  /**
   * How many instances share the platforms' rates (default 1): each relay sends at the configured rate divided
   * by it, so instances together stay within the rate (docs/deploy.md).
   */
  instances?: () => number;
  /** Attempts before a routine message is dead (default 8). Urgent ones count time instead: `urgentRetryMs`. */
  maxAttempts?: number;
  /**
   * How long after it was written an urgent message is still retried (default config.urgentRetryMs, 24 h).
   * A crisis reply matters for as long as the crisis does, so an outage of hours must not kill it.
   */
  urgentRetryMs?: number;
  /** Backoff of urgent retries: capped low so an urgent message leaves soon after the platform is back. */
  urgentBackoff?: BackoffPolicy;
  /** Failed attempts of an urgent message after which `onUrgentFailing` runs (default 3). */
  fallbackAfter?: number;
  /**
   * Sends an urgent message that keeps failing by other routes as well (`createUrgentFallback`), in the
   * transaction that records the failure; called once per message, when `fallbackAfter` is reached.
   */
  onUrgentFailing?: (row: OutboxRow, tx: DbOrTx) => unknown;
  /** How long a claimed row is ours; must exceed the slowest send (default 60 s). */
  leaseMs?: number;
  /** This relay's name in lease_owner (default a fresh id). */
  owner?: string;
  /** Rows claimed per round (default 100). */
  batchSize?: number;
  backoff?: BackoffPolicy;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: RandomSource;
  /** Default: config.quietHours. */
  quietHours?: QuietHours;
  /**
   * The sending identity a row uses, for per-sender limits (default one sender per channel), e.g. a school's
   * own Twilio number. A pool the platform picks from (Messaging Service) is `senders` in the limits instead.
   */
  senderOf?: (row: OutboxRow) => string;
  /**
   * Admin alert for a dead message (`createDeadLetterAlert`). Gets the row (alert with id, channel, purpose
   * only) and the transaction that marks it dead: it must write its alert there, and await no network, so a
   * crash cannot leave a dead row without its alert. A throw undoes the alert's writes only; the row still dies.
   */
  onDead?: (row: OutboxRow, tx: DbOrTx) => unknown;
  /** Idle wait between rounds of the service loop (default 1 s). */
  pollMs?: number;
  /** Instrumentation around each platform call (tests use them to crash at exact points). */
  hooks?: {
    beforeSend?: (row: OutboxRow) => void;
    afterSend?: (row: OutboxRow, result: SendResult) => void;
  };
}

/** What one round did: sent, failed (permanent) or dead, retried (transient), held (quiet hours, rate limit). */
export interface RelayRound {
  claimed: number;
  sent: number;
  failed: number;
  dead: number;
  retried: number;
  held: number;
}

/** What /healthz shows of delivery: channels whose last attempts failed, and urgent messages still waiting. */
export interface DeliveryHealth {
  ok: boolean;
  /** Channels whose latest attempt failed, since when and how many failures in a row. */
  failingChannels: Array<{ channel: string; since: number; failures: number }>;
  /** Urgent messages that failed at least once and are not sent yet (seen by this relay since it started). */
  urgentWaiting: number;
}

/** The outbox relay: `runOnce()` for one round (tests, CLI), `start()`/`stop()` for the service loop. */
export interface Relay {
  runOnce(): Promise<RelayRound>;
  health(): DeliveryHealth;
  start(): void;
  /** Stops claiming and resolves when in-flight sends have been recorded. */
  stop(): Promise<void>;
}

type Outcome =
  | { kind: 'sent' | 'failed' | 'dead' | 'skipped' }
  | { kind: 'retried' | 'held'; notBefore: number };

/** Order rank within a conversation: 2 urgent, 1 a reply to the family's own text, 0 the rest. */
function rankOf(row: { urgent: boolean; purpose: string }): number {
  const exemption = quietHoursExemption(row);
  return exemption === 'urgent' ? 2 : exemption === 'reply' ? 1 : 0;
}

/** The message a transport is handed for an outbox row; `uncertain` when an earlier attempt may have landed. */
export function outboundMessageOf(row: OutboxRow, uncertain = false): OutboundMessage {
  return {
    id: row.id,
    idempotencyKey: row.idempotencyKey,
    channel: row.channel,
    recipientId: row.recipientId,
    address: row.address,
    locale: row.locale,
    payload: row.payload as MessagePayload,
    origin: row.origin,
    body: row.body,
    urgent: row.urgent,
    uncertain,
  };
}

/** How long after its turn a row held for a reserved token stays this relay's (its poll comes within a second). */
const TURN_LEASE_MS = 10_000;

/** Builds a relay. See docs/delivery.md for the delivery guarantees. */
export function createRelay(options: RelayOptions): Relay {
  const { ctx, transports } = options;
  const repo = new OutboxRepository(ctx.db);
  const owner = options.owner ?? `relay-${ctx.ids()}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const urgentRetryMs = options.urgentRetryMs ?? ctx.config.urgentRetryMs ?? 24 * 3_600_000;
  const urgentBackoff = options.urgentBackoff ?? URGENT_BACKOFF;
  const fallbackAfter = options.fallbackAfter ?? 3;
  const batchSize = options.batchSize ?? 100;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const quiet = options.quietHours ?? ctx.config.quietHours;
  const senderOf = options.senderOf ?? (() => 'default');
  const limiter = new RateLimiter(options.rateLimits ?? DEFAULT_RATE_LIMITS);
  const pollMs = options.pollMs ?? 1_000;
  // A rate-limited row of the service loop waits in memory at most this long (well inside its lease).
  const patienceMs = Math.min(5_000, Math.floor(leaseMs / 2));
  const pauses = new Set<() => void>();
  /** Resolves true after `ms`, or false at once when the relay stops (the row is then written back). */
  const pause = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const wake = (done: boolean) => {
        clearTimeout(t);
        pauses.delete(cut);
        resolve(done);
      };
      const cut = () => wake(false);
      const t = setTimeout(() => wake(true), ms);
      pauses.add(cut);
    });
  const failing = new Map<string, { since: number; failures: number }>();
  const urgentWaiting = new Set<string>();
  // Times within the next poll at which a row this relay held becomes due: the loop wakes for the earliest.
  const wakeTimes = new Set<number>();
  const wakeFor = (notBefore: number) => {
    const now = ctx.clock();
    if (notBefore - now >= pollMs) return;
    // Only the service loop takes times out; rounds driven by runOnce must not let the set grow.
    if (wakeTimes.size >= 1_000) for (const t of wakeTimes) if (t <= now) wakeTimes.delete(t);
    wakeTimes.add(notBefore);
  };
  /** Back to pending, keeping the mark of an attempt that may have landed (else the look-up is skipped). */
  /**
   * Writes a row back to wait until `notBefore`. `turn`: it waits for a token this relay reserved, so it keeps
   * the lease until a little after its turn — another instance claiming it would reserve a second token and
   * both would spend the rate on one message. A relay that dies lets the lease run out, and the row goes on.
   */
  const holdRow = async (row: ClaimedOutboxRow, at: number, notBefore: number, turn = false) => {
    wakeFor(notBefore);
    await repo.reschedule(
      row.id,
      at,
      notBefore,
      row.uncertain ? failureReason(row.lastError ?? 'relay_died_mid_send', true) : undefined,
      turn ? { owner, until: notBefore + TURN_LEASE_MS } : undefined,
    );
  };

  /** Marks a row dead and raises its alert in one transaction. */
  async function markDead(
    row: ClaimedOutboxRow,
    at: number,
    reason: string,
    log: Record<string, unknown>,
  ): Promise<void> {
    await ctx.db.transaction(async (tx) => {
      const txRepo = new OutboxRepository(tx);
      await txRepo.finish(row.id, at, 'dead', reason);
      const dead = await txRepo.get(row.id);
      if (!dead || !options.onDead) return;
      const onDead = options.onDead;
      try {
        // A savepoint: a failing alert undoes its own writes, not the death of the row.
        await tx.transaction(async (sp) => {
          await onDead(dead, sp);
        });
      } catch (err) {
        ctx.logger.error({ ...log, err: errorName(err) }, 'outbox: dead-letter alert failed');
      }
    });
  }

  function recordOutcome(row: OutboxRow, ok: boolean, at: number) {
    if (ok) {
      failing.delete(row.channel);
      urgentWaiting.delete(row.id);
      return;
    }
    const f = failing.get(row.channel);
    failing.set(row.channel, { since: f?.since ?? at, failures: (f?.failures ?? 0) + 1 });
    if (row.urgent) urgentWaiting.add(row.id);
  }

  /** The retry and the other routes commit together, so a crash cannot skip the fallback. */
  async function rescheduleWithFallback(
    row: ClaimedOutboxRow,
    at: number,
    notBefore: number,
    reason: string,
    onUrgentFailing: NonNullable<RelayOptions['onUrgentFailing']>,
    log: Record<string, unknown>,
  ): Promise<void> {
    await ctx.db.transaction(async (tx) => {
      await new OutboxRepository(tx).reschedule(row.id, at, notBefore, reason);
      try {
        await tx.transaction(async (sp) => {
          await onUrgentFailing(row, sp);
        });
      } catch (err) {
        ctx.logger.error({ ...log, err: errorName(err) }, 'outbox: urgent fallback failed');
      }
    });
  }

  async function deliver(
    row: ClaimedOutboxRow,
    zone: string | undefined,
    patienceMs: number,
  ): Promise<Outcome> {
    const log = { outboxId: row.id, channel: row.channel, purpose: row.purpose };
    let now = ctx.clock();
    const transport = transports.get(row.channel);
    if (!transport) {
      await repo.finish(row.id, now, 'failed', 'transport:not_configured');
      ctx.logger.error(log, 'outbox: no transport configured for channel');
      return { kind: 'failed' };
    }
    let bypass: QuietHoursExemption | null = null;
    if (quietHoursApply(row)) {
      const tz = zone ?? ctx.config.defaultTimezone;
      if (!isSendingWindow(now, tz, quiet)) {
        bypass = quietHoursExemption(row);
        if (!bypass) {
          const notBefore = nextWindowOpening(now, tz, quiet);
          await holdRow(row, now, notBefore);
          return { kind: 'held', notBefore };
        }
      }
    }
    // The row keeps its place in the queue across rounds (its id holds its reserved token); urgent rows and
    // replies to the family's own text do not queue behind the routine ones.
    const turn = { id: row.id, priority: rankOf(row) > 0 };
    let wait = limiter.reserve(row.channel, senderOf(row), row.address, now, turn);
    // A short wait is slept with the lease held: writing the row back and claiming it again costs more
    // database time than the token it waits for, and would slow the drain below the rate.
    for (let tries = 0; wait > 0 && wait <= patienceMs && tries < 3; tries++) {
      if (!(await pause(wait))) break;
      now = ctx.clock();
      wait = limiter.reserve(row.channel, senderOf(row), row.address, now, turn);
    }
    if (wait > 0) {
      await holdRow(row, now, now + wait, true);
      return { kind: 'held', notBefore: now + wait };
    }
    const started = await ctx.db.transaction(async (tx) => {
      const txRepo = new OutboxRepository(tx);
      if (!(await txRepo.markAttempt(row.id, owner, now, now + leaseMs))) return false;
      if (bypass) await txRepo.recordQuietHoursBypass(row, now, 'relay', bypass);
      return true;
    });
    if (!started) return { kind: 'skipped' };
    if (row.status === 'sending')
      ctx.logger.warn(log, 'outbox: resending after a relay died mid-send (same idempotency key)');
    else if (row.uncertain)
      ctx.logger.warn(log, 'outbox: resending after an attempt that may have been delivered');

    const message = outboundMessageOf(row, row.uncertain);
    options.hooks?.beforeSend?.(row);
    let result: SendResult;
    try {
      result = await transport.send(message);
    } catch (err) {
      // Where it threw is unknown, so the request may have left: look before the next attempt.
      result = {
        ok: false,
        kind: 'transient',
        reason: err instanceof Error ? err.name : 'transport_threw',
        maybeDelivered: true,
      };
    }
    options.hooks?.afterSend?.(row, result);

    const done = ctx.clock();
    // A permanent refusal is the platform answering: the channel works, this one message cannot go.
    recordOutcome(row, result.ok || result.kind === 'permanent', done);
    if (result.ok) {
      await repo.markSent(row.id, done, result.providerMessageId ?? null);
      return { kind: 'sent' };
    }
    // Once an attempt may have been delivered, the row stays uncertain until it is sent (see failureReason).
    const maybeDelivered = row.uncertain || (result.kind === 'transient' && result.maybeDelivered === true);
    const reason = failureReason(
      result.code ? `${result.code}:${result.reason}` : result.reason,
      maybeDelivered,
    );
    if (result.kind === 'permanent') {
      urgentWaiting.delete(row.id);
      await repo.finish(row.id, done, 'failed', reason);
      ctx.logger.warn({ ...log, reason }, 'outbox: permanent failure');
      return { kind: 'failed' };
    }
    const attempts = row.attempts + 1;
    const exhausted = row.urgent ? done - row.createdAt >= urgentRetryMs : attempts >= maxAttempts;
    if (exhausted) {
      urgentWaiting.delete(row.id);
      ctx.logger.error({ ...log, attempts, reason }, 'outbox: message is dead after its last attempt');
      await markDead(row, done, reason, log);
      return { kind: 'dead' };
    }
    // A send that may have reached the platform is checked before it is tried again (see the transports);
    // wait at least a lease, so a message the platform was still queueing has shown up by then.
    const delay = retryDelay(attempts, row.urgent ? urgentBackoff : backoff, random, result.retryAfterMs);
    const notBefore = done + (maybeDelivered ? Math.max(delay, leaseMs) : delay);
    wakeFor(notBefore);
    if (row.urgent && attempts === fallbackAfter && options.onUrgentFailing) {
      await rescheduleWithFallback(row, done, notBefore, reason, options.onUrgentFailing, log);
    } else await repo.reschedule(row.id, done, notBefore, reason);
    return { kind: 'retried', notBefore };
  }

  /**
   * Rows to one address go in order; when one waits, the later ones of the same or a lower rank wait at
   * least as long. Ranks: urgent, then replies to the family's own text, then the rest. So a crisis reply
   * is never delayed by a held check-in text, yet two urgent rows (or a STOP and a START confirmation) keep
   * their order.
   */
  async function deliverConversation(
    rows: ClaimedOutboxRow[],
    zones: Map<string, string>,
    round: RelayRound,
    patienceMs: number,
  ) {
    // holds[k]: the latest notBefore a row of rank >= k is waiting for in this round.
    const holds: Array<number | undefined> = [undefined, undefined, undefined];
    const hold = (rank: number, notBefore: number) => {
      for (let k = 0; k <= rank; k++) holds[k] = Math.max(holds[k] ?? notBefore, notBefore);
    };
    for (const row of rows) {
      const rank = rankOf(row);
      const carried = holds[rank];
      if (carried !== undefined) {
        const notBefore = Math.max(row.notBefore, carried);
        await holdRow(row, ctx.clock(), notBefore);
        round.held += 1;
        hold(rank, notBefore);
        continue;
      }
      const outcome = await deliver(
        row,
        row.recipientKind === 'guardian' ? zones.get(row.recipientId) : undefined,
        patienceMs,
      );
      if (outcome.kind !== 'skipped') round[outcome.kind] += 1;
      if (outcome.kind === 'retried' || outcome.kind === 'held') hold(rank, outcome.notBefore);
    }
  }

  /**
   * One round. `patienceMs`: how long a rate-limited row may wait in memory (the service loop); 0 writes every
   * held row back at once (`runOnce`, whose callers drive the clock).
   */
  async function runRound(patienceMs: number): Promise<RelayRound> {
    const round: RelayRound = { claimed: 0, sent: 0, failed: 0, dead: 0, retried: 0, held: 0 };
    const rows = await repo.claimDue(ctx.clock(), owner, leaseMs, batchSize);
    round.claimed = rows.length;
    if (options.instances) limiter.share(options.instances());
    if (rows.length === 0) return round;
    const zones = await repo.guardianTimezones([
      ...new Set(rows.filter((r) => r.recipientKind === 'guardian').map((r) => r.recipientId)),
    ]);
    const conversations = new Map<string, ClaimedOutboxRow[]>();
    for (const r of rows) {
      const key = `${r.channel}|${r.address}`;
      conversations.set(key, [...(conversations.get(key) ?? []), r]);
    }
    await Promise.all(
      [...conversations.values()].map((c) => deliverConversation(c, zones, round, patienceMs)),
    );
    return round;
  }

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> | undefined;

  /** Until the next round: at once after progress, else until the earliest row held within a poll. */
  function idleMs(): number {
    const now = ctx.clock();
    let next = now + pollMs;
    for (const t of wakeTimes) {
      if (t <= now) wakeTimes.delete(t);
      else next = Math.min(next, t);
    }
    return next - now;
  }

  async function loop(): Promise<void> {
    if (!running) return;
    let busy = false;
    const current = runRound(patienceMs).then(
      (r) => {
        busy = r.sent + r.failed + r.dead > 0;
      },
      (err: unknown) => ctx.logger.error({ err: errorName(err) }, 'outbox: relay round failed'),
    );
    inFlight = current;
    await current;
    inFlight = undefined;
    if (!running) return;
    timer = setTimeout(() => void loop(), busy ? 0 : idleMs());
    timer.unref();
  }

  return {
    runOnce: () => runRound(0),
    health() {
      const failingChannels = [...failing].map(([channel, f]) => ({ channel, ...f }));
      return { ok: failingChannels.length === 0, failingChannels, urgentWaiting: urgentWaiting.size };
    },
    start() {
      if (running) return;
      running = true;
      void loop();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      for (const cut of [...pauses]) cut();
      await inFlight;
    },
  };
}
