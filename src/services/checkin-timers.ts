import type { AppContext } from '../context.js';
import { createTexts } from '../i18n/index.js';
import { isOutOfOffice } from '../jobs/out-of-office.js';
import type { TimerHandler, TimerHandlers } from '../jobs/timer-runner.js';
import { type PlannedTimerPayload, PROMPT_KINDS, plannedTimerKey, TIMER_KINDS } from '../jobs/weekly-plan.js';
import { CheckinRepository } from '../store/repositories/checkins.js';
import { TimerRepository, type TimerRow } from '../store/repositories/timers.js';
import { type CheckinOutcome, CheckinService } from './checkins.js';

export const DIALOG_TIMEOUT = 'dialog_timeout';

/** What a handler did, as `checkins run` and `timers list` show it: 'started', 'skipped:no_consent', ... */
function outcomeOf(outcome: CheckinOutcome): string {
  if (!outcome.ok) return `skipped:${outcome.problem.replace('checkin:', '')}`;
  return outcome.resumed ? 'resumed' : 'started';
}

function planned(timer: TimerRow): Partial<PlannedTimerPayload> {
  return (timer.payload ?? {}) as Partial<PlannedTimerPayload>;
}

/** The navigator kinds an absence holds back. */
const NAVIGATOR_WEEK_KINDS: ReadonlySet<string> = new Set([
  TIMER_KINDS.navigatorPrompt,
  TIMER_KINDS.navigatorReminder,
  TIMER_KINDS.navigatorExpiry,
]);

/**
 * Why a planned check-in timer must not run its handler, or undefined. A prompt or reminder after its week
 * (or check-in window) is over would start a conversation nobody can finish. A navigator out of office gets
 * no prompt, reminder or expiry; at the prompt (or the expiry) the week counts as skipped instead of missed,
 * and the prompt cancels the week's later timers so the absence is handled once.
 */
async function skipReason(
  timer: TimerRow,
  ctx: AppContext,
  handlers: TimerHandlers,
): Promise<string | undefined> {
  const p = planned(timer);
  if (PROMPT_KINDS.has(timer.kind) && p.lateAfter !== undefined && ctx.clock() >= p.lateAfter)
    return 'week_over';
  if (!p.navigatorId || !NAVIGATOR_WEEK_KINDS.has(timer.kind)) return undefined;
  const repo = new TimerRepository(ctx.db);
  const navigator = await repo.staffMember(p.navigatorId);
  if (!navigator || !isOutOfOffice(navigator, ctx.clock())) return undefined;
  if (timer.kind === TIMER_KINDS.navigatorReminder) return 'out_of_office';
  if (timer.kind === TIMER_KINDS.navigatorPrompt && p.period)
    await repo.cancel([
      plannedTimerKey(TIMER_KINDS.navigatorReminder, p.navigatorId, p.period),
      plannedTimerKey(TIMER_KINDS.navigatorExpiry, p.navigatorId, p.period),
    ]);
  const skipWeek = handlers[TIMER_KINDS.navigatorCheckinsSkipped];
  if (skipWeek) await skipWeek({ ...timer, kind: TIMER_KINDS.navigatorCheckinsSkipped }, ctx);
  else ctx.logger.warn({ timerId: timer.id }, 'timers: no handler for navigator_checkins_skipped');
  return 'out_of_office';
}

/**
 * The planned check-in kinds with their rules (`skipReason`) in front of their handlers; other kinds pass
 * through as they are. Apart from `checkinTimerHandlers` so the rules can be checked with stand-in handlers.
 */
export function withCheckinTimerRules(handlers: TimerHandlers): TimerHandlers {
  const guard =
    (handler: TimerHandler): TimerHandler =>
    async (timer, ctx) => {
      const reason = await skipReason(timer, ctx, handlers);
      return reason ? `skipped:${reason}` : handler(timer, ctx);
    };
  return Object.fromEntries(
    Object.entries(handlers).map(([kind, handler]) => [
      kind,
      PROMPT_KINDS.has(kind) || NAVIGATOR_WEEK_KINDS.has(kind) ? guard(handler) : handler,
    ]),
  );
}

/**
 * The timer kinds of check-ins and what each does. Prompts start the week's conversation; reminders nudge an
 * unfinished one (the engine re-asks the current question, also after a pause); expiry ends it (open
 * check-ins become missed); out of office marks the week's check-ins skipped. A reply timeout resumes the
 * session it was set for; an escalation past its deadline is taken up the chain.
 */
export function checkinTimerHandlers(service: CheckinService): TimerHandlers {
  type Kind = 'navigator' | 'family';
  const activeSession = async (kind: Kind, participantId: string, period: string) => {
    const session = await new CheckinRepository(service.db).sessionFor(participantId, kind, period);
    return session?.status === 'active' ? session : undefined;
  };
  const nudge = async (kind: Kind, participantId: string | undefined, period: string | undefined) => {
    const session = participantId && period ? await activeSession(kind, participantId, period) : undefined;
    return session ? outcomeOf(await service.remind(session.id)) : 'skipped:not_running';
  };
  const end = async (kind: Kind, participantId: string | undefined, period: string | undefined) => {
    if (!participantId || !period) return;
    const session = await activeSession(kind, participantId, period);
    if (session) await service.expire(session.id);
    const closed =
      kind === 'navigator'
        ? await service.closeWeek(participantId, period, 'missed')
        : Number(await service.closeFamilyWeek(participantId, period));
    // The engine marks the open check-ins of a running session missed itself; `closed` counts the others.
    return session ? 'expired' : `missed:${closed}`;
  };

  return withCheckinTimerRules({
    [TIMER_KINDS.navigatorPrompt]: async (timer) => {
      const p = planned(timer);
      return p.navigatorId
        ? outcomeOf(await service.startNavigator(p.navigatorId, p.period))
        : 'skipped:no_navigator';
    },
    [TIMER_KINDS.navigatorReminder]: (timer) =>
      nudge('navigator', planned(timer).navigatorId, planned(timer).period),
    [TIMER_KINDS.navigatorExpiry]: (timer) =>
      end('navigator', planned(timer).navigatorId, planned(timer).period),
    [TIMER_KINDS.navigatorCheckinsSkipped]: async (timer) => {
      const p = planned(timer);
      return p.navigatorId && p.period
        ? `out_of_office:${await service.skipWeek(p.navigatorId, p.period)}`
        : undefined;
    },
    [TIMER_KINDS.familyCheckin]: async (timer) => {
      const p = planned(timer);
      return p.guardianId
        ? outcomeOf(await service.startFamily(p.guardianId, p.period))
        : 'skipped:no_guardian';
    },
    [TIMER_KINDS.familyReminder]: (timer) =>
      nudge('family', planned(timer).guardianId, planned(timer).period),
    [TIMER_KINDS.familyExpiry]: (timer) => end('family', planned(timer).guardianId, planned(timer).period),
    [DIALOG_TIMEOUT]: async (timer) => {
      return timer.sessionId && timer.sessionVersion !== null
        ? outcomeOf(await service.onTimeout(timer.sessionId, timer.sessionVersion))
        : undefined;
    },
  });
}

/** The check-in timer handlers for a context, for callers without a running service (the CLI). */
export function checkinTimerHandlersFor(ctx: AppContext): TimerHandlers {
  const texts = createTexts({ defaultLocale: ctx.config.defaultLocale, logger: ctx.logger });
  return checkinTimerHandlers(new CheckinService(ctx, texts));
}
