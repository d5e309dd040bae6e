import type { AppContext } from '../context.js';
import { createTexts } from '../i18n/index.js';
import type { TimerHandlers } from '../jobs/timer-runner.js';
import { type PlannedTimerPayload, TIMER_KINDS } from '../jobs/weekly-plan.js';
import { CheckinRepository } from '../store/repositories/checkins.js';
import type { TimerRow } from '../store/repositories/timers.js';
import { CheckinService } from './checkins.js';

export const DIALOG_TIMEOUT = 'dialog_timeout';

function planned(timer: TimerRow): Partial<PlannedTimerPayload> {
  return (timer.payload ?? {}) as Partial<PlannedTimerPayload>;
}

/**
 * What each timer kind does for check-ins. Prompts start the week's conversation; reminders nudge an
 * unfinished one through the engine's own reminder path; expiry ends it (open check-ins become missed);
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
    if (session) service.onTimeout(session.id, session.version);
  };
  const end = (kind: Kind, participantId: string | undefined, period: string | undefined) => {
    if (!participantId || !period) return;
    const session = activeSession(kind, participantId, period);
    if (session) service.expire(session.id);
    if (kind === 'navigator') service.closeWeek(participantId, period, 'missed');
    else service.closeFamilyWeek(participantId, period);
  };

  return {
    [TIMER_KINDS.navigatorPrompt]: (timer) => {
      const p = planned(timer);
      if (p.navigatorId) service.startNavigator(p.navigatorId, p.period);
    },
    [TIMER_KINDS.navigatorReminder]: (timer) =>
      nudge('navigator', planned(timer).navigatorId, planned(timer).period),
    [TIMER_KINDS.navigatorExpiry]: (timer) =>
      end('navigator', planned(timer).navigatorId, planned(timer).period),
    [TIMER_KINDS.navigatorCheckinsSkipped]: (timer) => {
      const p = planned(timer);
      if (p.navigatorId && p.period) service.skipWeek(p.navigatorId, p.period);
    },
    [TIMER_KINDS.familyCheckin]: (timer) => {
      const p = planned(timer);
      if (p.guardianId) service.startFamily(p.guardianId, p.period);
    },
    [TIMER_KINDS.familyReminder]: (timer) =>
      nudge('family', planned(timer).guardianId, planned(timer).period),
    [TIMER_KINDS.familyExpiry]: (timer) => end('family', planned(timer).guardianId, planned(timer).period),
    [DIALOG_TIMEOUT]: (timer) => {
      if (timer.sessionId && timer.sessionVersion !== null)
        service.onTimeout(timer.sessionId, timer.sessionVersion);
    },
  };
}

/** The check-in timer handlers for a context, for callers without a running service (the CLI). */
export function checkinTimerHandlersFor(ctx: AppContext): TimerHandlers {
  const texts = createTexts({ defaultLocale: ctx.config.defaultLocale, logger: ctx.logger });
  return checkinTimerHandlers(new CheckinService(ctx, texts));
}
