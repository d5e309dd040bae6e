import type { AppContext } from '../context.js';
import { errorName } from '../lib/logger.js';
import { type TimerOutcome, TimerRepository, type TimerRow } from '../store/repositories/timers.js';

/**
 * What a handler may report: nothing, or a short outcome such as 'started', 'resumed' or
 * 'skipped:no_consent'. A `skipped:` prefix counts the timer as skipped. Ids and codes only, no personal data.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler without a return statement must still type-check
export type TimerHandlerResult = string | undefined | void;

/**
 * Runs a timer of one kind. Throwing leaves the timer pending, to be tried again later. A handler owns every
 * rule of its kind (e.g. a prompt whose week is over is `skipped:week_over`); the runner knows none of them.
 */
export type TimerHandler = (
  timer: TimerRow,
  ctx: AppContext,
) => TimerHandlerResult | Promise<TimerHandlerResult>;
/** Handlers by timer kind. The module that sets timers of a kind exports its handlers beside them. */
export type TimerHandlers = Readonly<Record<string, TimerHandler>>;

/**
 * The registry the runner dispatches from: the kinds of every module that sets timers. A kind registered by
 * two modules is a programming error, so it fails at start-up rather than one handler silently winning.
 * Example: `timerKinds(checkinTimerHandlers(checkins), digestTimerHandlers(digests))`.
 */
export function timerKinds(...modules: TimerHandlers[]): TimerHandlers {
  const registry: Record<string, TimerHandler> = {};
  for (const handlers of modules)
    for (const [kind, handler] of Object.entries(handlers)) {
      if (Object.hasOwn(registry, kind)) throw new Error(`timer kind ${kind} is registered twice`);
      registry[kind] = handler;
    }
  return registry;
}

/** What one round of the dispatcher did. */
export interface TimerRound {
  claimed: number;
  fired: number;
  skipped: number;
  failed: number;
  missingHandler: number;
  /** Per timer: `<kind> <uniqueKey> → fired[:<outcome>] | skipped:<reason> | failed | no_handler`. */
  log: string[];
}

/** Options of the timer dispatcher. */
export interface TimerRunnerOptions {
  ctx: AppContext;
  handlers: TimerHandlers;
  owner?: string;
  /** How long a claimed timer is ours (default 5 min). */
  leaseMs?: number;
  batchSize?: number;
  /** Delay before a failed or unhandled timer is tried again (default 5 min). */
  retryMs?: number;
}

/**
 * Claims due timers with a lease and dispatches each to the handler of its kind. A timer set for an older
 * session version is skipped here, whatever its kind: the session moved on, so the timer is stale.
 */
export interface TimerRunner {
  runOnce(): Promise<TimerRound>;
  /** Fires the given pending timers now, whatever their fireAt (manual `checkins run`). */
  fireNow(uniqueKeys: string[]): Promise<TimerRound>;
}

const MAX_OUTCOME_LENGTH = 64;

/**
 * Thrown inside a timer's transaction when its finish is refused: our lease ran out and another runner took
 * the timer, which runs the handler itself. Throwing rolls back what our handler did, so it happens once.
 */
export class TimerLeaseLost extends Error {
  constructor(readonly timerId: string) {
    super(`timer ${timerId} is held by another runner`);
    this.name = 'TimerLeaseLost';
  }
}

/** A handler's report as a stored outcome: 'skipped:<reason>' → skipped, any other text → fired with it. */
export function handlerOutcome(result: TimerHandlerResult): TimerOutcome {
  const text = typeof result === 'string' ? result.trim().slice(0, MAX_OUTCOME_LENGTH) : '';
  if (text.startsWith('skipped:') && text.length > 'skipped:'.length)
    return { result: 'skipped', reason: text.slice('skipped:'.length) };
  return text ? { result: 'fired', reason: text } : { result: 'fired' };
}

/** Builds the dispatcher; `runOnce` for the minute tick, `fireNow` for a manual run. */
export function createTimerRunner(options: TimerRunnerOptions): TimerRunner {
  const { ctx, handlers } = options;
  const repo = new TimerRepository(ctx.db);
  const owner = options.owner ?? `timers-${ctx.ids()}`;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const batchSize = options.batchSize ?? 200;
  const retryMs = options.retryMs ?? 5 * 60_000;

  /** True when the timer belongs to a session that has since moved on (or is gone). */
  async function stale(timer: TimerRow): Promise<boolean> {
    if (!timer.sessionId) return false;
    const current = await repo.sessionVersion(timer.sessionId);
    return current === undefined || current !== timer.sessionVersion;
  }

  async function dispatch(timers: TimerRow[]): Promise<TimerRound> {
    const round: TimerRound = {
      claimed: timers.length,
      fired: 0,
      skipped: 0,
      failed: 0,
      missingHandler: 0,
      log: [],
    };
    for (const timer of timers) {
      const now = ctx.clock();
      const line = `${timer.kind} ${timer.uniqueKey} →`;
      try {
        if (await stale(timer)) {
          if (!(await repo.finish(timer, owner, ctx.clock(), { result: 'skipped', reason: 'stale_session' })))
            throw new TimerLeaseLost(timer.id);
          round.skipped += 1;
          round.log.push(`${line} skipped:stale_session`);
          continue;
        }
        const handler = Object.hasOwn(handlers, timer.kind) ? handlers[timer.kind] : undefined;
        if (!handler) {
          await repo.release(timer.id, owner, now + retryMs);
          round.missingHandler += 1;
          round.log.push(`${line} no_handler`);
          ctx.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timers: no handler registered for kind');
          continue;
        }
        // The handler's writes (its own transactions become savepoints) and the finish commit together, so a
        // runner whose lease was taken over leaves nothing behind.
        const outcome = await ctx.db.transaction(async (tx) => {
          const result = handlerOutcome(await handler(timer, ctx));
          if (!(await new TimerRepository(tx).finish(timer, owner, ctx.clock(), result)))
            throw new TimerLeaseLost(timer.id);
          return result;
        });
        round[outcome.result] += 1;
        round.log.push(`${line} ${outcome.result}${outcome.reason ? `:${outcome.reason}` : ''}`);
      } catch (err) {
        if (err instanceof TimerLeaseLost) {
          round.skipped += 1;
          round.log.push(`${line} skipped:lease_lost`);
          ctx.logger.warn(
            { timerId: timer.id, kind: timer.kind },
            'timers: lease lost to another runner; its effects rolled back',
          );
          continue;
        }
        await repo.release(timer.id, owner, ctx.clock() + retryMs);
        round.failed += 1;
        round.log.push(`${line} failed`);
        ctx.logger.error(
          { timerId: timer.id, kind: timer.kind, err: errorName(err) },
          'timers: handler failed; will retry',
        );
      }
    }
    return round;
  }

  return {
    runOnce: async () => dispatch(await repo.claim(ctx.clock(), owner, leaseMs, batchSize)),
    fireNow: async (keys) =>
      dispatch(keys.length ? await repo.claim(ctx.clock(), owner, leaseMs, keys.length, keys) : []),
  };
}
