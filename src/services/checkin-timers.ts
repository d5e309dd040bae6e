import type { AppContext } from '../context.js';
import { defaultStaffRoute } from '../delivery/dead-letter.js';
import { createTexts } from '../i18n/index.js';
import type { TimerHandlers } from '../jobs/timer-runner.js';
import { type PlannedTimerPayload, TIMER_KINDS } from '../jobs/weekly-plan.js';
import { CheckinRepository } from '../store/repositories/checkins.js';
import type { TimerRow } from '../store/repositories/timers.js';
import { type CheckinOutcome, CheckinService } from './checkins.js';
import { escalationOverdue } from './escalations.js';

export const DIALOG_TIMEOUT = 'dialog_timeout';

/** What a handler did, as `checkins run` and `timers list` show it: 'started', 'skipped:no_consent', ... */
function outcomeOf(outcome: CheckinOutcome): string {
  if (!outcome.ok) return `skipped:${outcome.problem.replace('checkin:', '')}`;
  return outcome.resumed ? 'resumed' : 'started';
}

function planned(timer: TimerRow): Partial<PlannedTimerPayload> {
  return (timer.payload ?? {}) as Partial<PlannedTimerPayload>;
}

/**
 * What each timer kind does for check-ins. Prompts start the week's conversation; reminders nudge an
 * unfinished one (the engine re-asks the current question, also after a pause); expiry ends it (open check-ins become missed);
 * out of office marks the week's check-ins skipped. A reply timeout resumes the session it was set for.
 */
export function checkinTimerHandlers(service: CheckinService): TimerHandlers {
  type Kind = 'navigator' | 'family';
  const activeSession = (kind: Kind, participantId: string, period: string) => {
    const session = new CheckinRepository(service.db).sessionFor(participantId, kind, period);
    return session?.status === 'active' ? session : undefined;
  };
  const nudge = (kind: Kind, participantId: string | undefined, period: string | undefined) => {
    const session = participantId && period ? activeSession(kind, participantId, period) : undefined;
    return session ? outcomeOf(service.remind(session.id)) : 'skipped:not_running';
  };
  const end = (kind: Kind, participantId: string | undefined, period: string | undefined) => {
    if (!participantId || !period) return;
    const session = activeSession(kind, participantId, period);
    if (session) service.expire(session.id);
    const closed =
      kind === 'navigator'
        ? service.closeWeek(participantId, period, 'missed')
        : Number(service.closeFamilyWeek(participantId, period));
    // The engine marks the open check-ins of a running session missed itself; `closed` counts the others.
    return session ? 'expired' : `missed:${closed}`;
  };

  return {
    [TIMER_KINDS.navigatorPrompt]: (timer) => {
      const p = planned(timer);
      return p.navigatorId
        ? outcomeOf(service.startNavigator(p.navigatorId, p.period))
        : 'skipped:no_navigator';
    },
    [TIMER_KINDS.navigatorReminder]: (timer) =>
      nudge('navigator', planned(timer).navigatorId, planned(timer).period),
    [TIMER_KINDS.navigatorExpiry]: (timer) =>
      end('navigator', planned(timer).navigatorId, planned(timer).period),
    [TIMER_KINDS.navigatorCheckinsSkipped]: (timer) => {
      const p = planned(timer);
      return p.navigatorId && p.period
        ? `out_of_office:${service.skipWeek(p.navigatorId, p.period)}`
        : undefined;
    },
    [TIMER_KINDS.familyCheckin]: (timer) => {
      const p = planned(timer);
      return p.guardianId ? outcomeOf(service.startFamily(p.guardianId, p.period)) : 'skipped:no_guardian';
    },
    [TIMER_KINDS.familyReminder]: (timer) =>
      nudge('family', planned(timer).guardianId, planned(timer).period),
    [TIMER_KINDS.familyExpiry]: (timer) => end('family', planned(timer).guardianId, planned(timer).period),
    [TIMER_KINDS.escalationSla]: (timer) => {
      const id = (timer.payload as { escalationId?: string } | null)?.escalationId;
      return id ? escalationOverdue(service.ctx, defaultStaffRoute(service.ctx.config), id) : undefined;
    },
    [DIALOG_TIMEOUT]: (timer) => {
      return timer.sessionId && timer.sessionVersion !== null
        ? outcomeOf(service.onTimeout(timer.sessionId, timer.sessionVersion))
        : undefined;
    },
  };
}

/** The check-in timer handlers for a context, for callers without a running service (the CLI). */
export function checkinTimerHandlersFor(ctx: AppContext): TimerHandlers {
  const texts = createTexts({ defaultLocale: ctx.config.defaultLocale, logger: ctx.logger });
  return checkinTimerHandlers(new CheckinService(ctx, texts));
}
