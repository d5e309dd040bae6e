import type { AppContext } from '../context.js';
import type { MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import {
  type ClaimedOutboxRow,
  failureReason,
  OutboxRepository,
  type OutboxRow,
} from '../store/repositories/outbox.js';
import { type BackoffPolicy, DEFAULT_BACKOFF, type RandomSource, retryDelay } from './backoff.js';
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
  /** Attempts before a message is dead (default 8). */
  maxAttempts?: number;
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

/** The outbox relay: `runOnce()` for one round (tests, CLI), `start()`/`stop()` for the service loop. */
export interface Relay {
  runOnce(): Promise<RelayRound>;
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

/** Builds a relay. See docs/delivery.md for the delivery guarantees. */
export function createRelay(options: RelayOptions): Relay {
  const { ctx, transports } = options;
  const repo = new OutboxRepository(ctx.db);
  const owner = options.owner ?? `relay-${ctx.ids()}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const batchSize = options.batchSize ?? 100;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const quiet = options.quietHours ?? ctx.config.quietHours;
  const senderOf = options.senderOf ?? (() => 'default');
  const limiter = new RateLimiter(options.rateLimits ?? DEFAULT_RATE_LIMITS);
  const pollMs = options.pollMs ?? 1_000;

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
        ctx.logger.error(
          { ...log, err: err instanceof Error ? err.name : 'error' },
          'outbox: dead-letter alert failed',
        );
      }
    });
  }

  async function deliver(row: ClaimedOutboxRow, zone: string | undefined): Promise<Outcome> {
    const log = { outboxId: row.id, channel: row.channel, purpose: row.purpose };
    const now = ctx.clock();
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
          await repo.reschedule(row.id, now, notBefore);
          return { kind: 'held', notBefore };
        }
      }
    }
    const wait = limiter.reserve(row.channel, senderOf(row), row.address, now);
    if (wait > 0) {
      await repo.reschedule(row.id, now, now + wait);
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
      await repo.finish(row.id, done, 'failed', reason);
      ctx.logger.warn({ ...log, reason }, 'outbox: permanent failure');
      return { kind: 'failed' };
    }
    const attempts = row.attempts + 1;
    if (attempts >= maxAttempts) {
      ctx.logger.error({ ...log, attempts, reason }, 'outbox: message is dead after its last attempt');
      await markDead(row, done, reason, log);
      return { kind: 'dead' };
    }
    // A send that may have reached the platform is checked before it is tried again (see the transports);
    // wait at least a lease, so a message the platform was still queueing has shown up by then.
    const delay = retryDelay(attempts, backoff, random, result.retryAfterMs);
    const notBefore = done + (maybeDelivered ? Math.max(delay, leaseMs) : delay);
    await repo.reschedule(row.id, done, notBefore, reason);
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
        await repo.reschedule(row.id, ctx.clock(), notBefore);
        round.held += 1;
        hold(rank, notBefore);
        continue;
      }
      const outcome = await deliver(
        row,
        row.recipientKind === 'guardian' ? zones.get(row.recipientId) : undefined,
      );
      if (outcome.kind !== 'skipped') round[outcome.kind] += 1;
      if (outcome.kind === 'retried' || outcome.kind === 'held') hold(rank, outcome.notBefore);
    }
  }

  async function runOnce(): Promise<RelayRound> {
    const round: RelayRound = { claimed: 0, sent: 0, failed: 0, dead: 0, retried: 0, held: 0 };
    const rows = await repo.claimDue(ctx.clock(), owner, leaseMs, batchSize);
    round.claimed = rows.length;
    if (rows.length === 0) return round;
    const zones = await repo.guardianTimezones([
      ...new Set(rows.filter((r) => r.recipientKind === 'guardian').map((r) => r.recipientId)),
    ]);
    const conversations = new Map<string, ClaimedOutboxRow[]>();
    for (const r of rows) {
      const key = `${r.channel}|${r.address}`;
      conversations.set(key, [...(conversations.get(key) ?? []), r]);
    }
    await Promise.all([...conversations.values()].map((c) => deliverConversation(c, zones, round)));
    return round;
  }

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> | undefined;

  async function loop(): Promise<void> {
    if (!running) return;
    let busy = false;
    const current = runOnce().then(
      (r) => {
        busy = r.claimed > 0;
      },
      (err: unknown) =>
        ctx.logger.error({ err: err instanceof Error ? err.name : 'error' }, 'outbox: relay round failed'),
    );
    inFlight = current;
    await current;
    inFlight = undefined;
    if (!running) return;
    timer = setTimeout(() => void loop(), busy ? 0 : pollMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      void loop();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
