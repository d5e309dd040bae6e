import type { AppContext } from '../context.js';
import { type TimerOutcome, TimerRepository, type TimerRow } from '../store/repositories/timers.js';
import { isOutOfOffice } from './out-of-office.js';
import { type PlannedTimerPayload, PROMPT_KINDS, plannedTimerKey, TIMER_KINDS } from './weekly-plan.js';

/**
 * What a handler may report: nothing, or a short outcome such as 'started', 'resumed' or
 * 'skipped:no_consent'. A `skipped:` prefix counts the timer as skipped. Ids and codes only, no personal data.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler without a return statement must still type-check
export type TimerHandlerResult = string | undefined | void;

/** Runs a timer of one kind. Throwing leaves the timer pending, to be tried again later. */
export type TimerHandler = (
  timer: TimerRow,
  ctx: AppContext,
) => TimerHandlerResult | Promise<TimerHandlerResult>;
/** Handlers by timer kind; the check-in service registers navigator_prompt, family_checkin, ... */
export type TimerHandlers = Record<string, TimerHandler>;

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

/** Claims due timers with a lease and dispatches each by kind; stale, late and out-of-office timers are skipped. */
export interface TimerRunner {
  runOnce(): Promise<TimerRound>;
  /** Fires the given pending timers now, whatever their fireAt (manual `checkins run`). */
  fireNow(uniqueKeys: string[]): Promise<TimerRound>;
}

const MAX_OUTCOME_LENGTH = 64;

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

  /** Returns the skip reason, or undefined when the timer should run its handler. */
  async function precheck(timer: TimerRow, now: number): Promise<string | undefined> {
    if (timer.sessionId) {
      const current = repo.sessionVersion(timer.sessionId);
      if (current === undefined || current !== timer.sessionVersion) return 'stale_session';
    }
    const payload = (timer.payload ?? {}) as Partial<PlannedTimerPayload>;
    if (PROMPT_KINDS.has(timer.kind) && payload.lateAfter !== undefined && now >= payload.lateAfter)
      return 'week_over';
    if (payload.navigatorId && timer.kind.startsWith('navigator_')) {
      const navigator = repo.staffMember(payload.navigatorId);
      if (navigator && isOutOfOffice(navigator, now)) {
        if (timer.kind === TIMER_KINDS.navigatorPrompt || timer.kind === TIMER_KINDS.navigatorExpiry) {
          // Out of office at the prompt: the whole week counts as skipped, so no reminder and no expiry.
          if (timer.kind === TIMER_KINDS.navigatorPrompt && payload.period)
            repo.cancel([
              plannedTimerKey(TIMER_KINDS.navigatorReminder, payload.navigatorId, payload.period),
              plannedTimerKey(TIMER_KINDS.navigatorExpiry, payload.navigatorId, payload.period),
            ]);
          const skip = handlers[TIMER_KINDS.navigatorCheckinsSkipped];
          if (skip) await skip({ ...timer, kind: TIMER_KINDS.navigatorCheckinsSkipped }, ctx);
          else ctx.logger.warn({ timerId: timer.id }, 'timers: no handler for navigator_checkins_skipped');
        }
        return 'out_of_office';
      }
    }
    return undefined;
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
        const reason = await precheck(timer, now);
        if (reason) {
          repo.finish(timer, ctx.clock(), { result: 'skipped', reason });
          round.skipped += 1;
          round.log.push(`${line} skipped:${reason}`);
          continue;
        }
        const handler = handlers[timer.kind];
        if (!handler) {
          repo.release(timer.id, now + retryMs);
          round.missingHandler += 1;
          round.log.push(`${line} no_handler`);
          ctx.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timers: no handler registered for kind');
          continue;
        }
        const outcome = handlerOutcome(await handler(timer, ctx));
        repo.finish(timer, ctx.clock(), outcome);
        round[outcome.result] += 1;
        round.log.push(`${line} ${outcome.result}${outcome.reason ? `:${outcome.reason}` : ''}`);
      } catch (err) {
        repo.release(timer.id, ctx.clock() + retryMs);
        round.failed += 1;
        round.log.push(`${line} failed`);
        ctx.logger.error(
          { timerId: timer.id, kind: timer.kind, err: err instanceof Error ? err.name : 'error' },
          'timers: handler failed; will retry',
        );
      }
    }
    return round;
  }

  return {
    runOnce: () => dispatch(repo.claim(ctx.clock(), owner, leaseMs, batchSize)),
    fireNow: (keys) =>
      dispatch(keys.length ? repo.claim(ctx.clock(), owner, leaseMs, keys.length, keys) : []),
  };
}
