import cron, { type ScheduledTask } from 'node-cron';
import type { AppContext } from '../context.js';
import { errorName } from '../lib/logger.js';
import type { ServiceInstances } from '../services/service-instances.js';
import { TimerRepository } from '../store/repositories/timers.js';
import { EMPTY_CALENDAR, type SchoolCalendar } from './calendar.js';
import { addWeeks, isoWeekOf } from './period.js';
import { createTimerRunner, type TimerHandlers, type TimerRound } from './timer-runner.js';
import { type AvailableChannels, planWeek, type WeekPlan } from './weekly-plan.js';

/** Options of the service's scheduler. */
export interface SchedulerOptions {
  ctx: AppContext;
  handlers: TimerHandlers;
  /** Read on every planning run, so an admin's calendar edit applies without a restart. */
  calendar?: () => SchoolCalendar;
  /** Channels that can reach people; without SMS no family check-ins are planned. Default: from config. */
  channels?: AvailableChannels;
  /** The instances sharing the database: the hourly planning runs on one of them per hour. */
  instances?: Pick<ServiceInstances, 'takeRun'>;
}

/** The minute tick (due timers) and the hourly planning of this and next week, on node-cron. */
export interface Scheduler {
  start(): void;
  /** Stops the cron tasks and waits for a running tick. */
  stop(): Promise<void>;
  /** One minute tick: dispatches due timers until none are left. */
  tick(): Promise<TimerRound[]>;
  /** Plans the current and the next ISO week (in each school's zone) for every school. Idempotent. */
  planUpcoming(): Promise<WeekPlan[]>;
  /**
   * The hourly planning: `planUpcoming` on the first instance to take this hour, nothing (null) on the others.
   * Planning is idempotent, so this only spares the others the work.
   */
  planThisHour(): Promise<WeekPlan[] | null>;
}

/** The UTC hour `now` falls in, the period of the hourly planning: '2026-11-30T08'. */
export function hourOf(now: number): string {
  return new Date(now).toISOString().slice(0, 13);
}

/** Builds the scheduler; nothing runs until `start()`. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { ctx } = options;
  const runner = createTimerRunner({ ctx, handlers: options.handlers });
  const repo = new TimerRepository(ctx.db);
  const tasks: ScheduledTask[] = [];
  // Planning and a tick may overlap; stop() waits for both before the caller closes the store.
  const running = new Set<Promise<unknown>>();

  async function planUpcoming(): Promise<WeekPlan[]> {
    const calendar = options.calendar?.() ?? EMPTY_CALENDAR;
    const plans: WeekPlan[] = [];
    for (const schoolId of await repo.schoolIds()) {
      const zone = (await repo.school(schoolId))?.timezone ?? ctx.config.defaultTimezone;
      const week = isoWeekOf(ctx.clock(), zone);
      const opts = { calendar, ...(options.channels ? { channels: options.channels } : {}) };
      plans.push(
        await planWeek(ctx, schoolId, week, opts),
        await planWeek(ctx, schoolId, addWeeks(week, 1), opts),
      );
    }
    return plans;
  }

  async function planThisHour(): Promise<WeekPlan[] | null> {
    if (options.instances && !(await options.instances.takeRun('planning', hourOf(ctx.clock())))) return null;
    return planUpcoming();
  }

  async function tick(): Promise<TimerRound[]> {
    const rounds: TimerRound[] = [];
    // A service that was down over Monday morning finds many due timers: drain them, in batches.
    for (let i = 0; i < 100; i++) {
      const round = await runner.runOnce();
      rounds.push(round);
      if (round.claimed === 0 || round.fired + round.skipped === 0) break;
    }
    return rounds;
  }

  const guarded = (what: string, fn: () => unknown) => async () => {
    const run = Promise.resolve().then(fn);
    running.add(run);
    try {
      await run;
    } catch (err) {
      ctx.logger.error({ err: errorName(err) }, `scheduler: ${what} failed`);
    } finally {
      running.delete(run);
    }
  };

  return {
    tick,
    planUpcoming,
    planThisHour,
    start() {
      if (tasks.length) return;
      // At start every instance plans (a roster imported while it was down is planned at once); hourly, one.
      void guarded('planning', planUpcoming)();
      tasks.push(cron.schedule('* * * * *', guarded('tick', tick), { name: 'timers', noOverlap: true }));
      tasks.push(
        cron.schedule('7 * * * *', guarded('planning', planThisHour), { name: 'planning', noOverlap: true }),
      );
    },
    async stop() {
      for (const t of tasks.splice(0)) await t.stop();
      await Promise.allSettled([...running]);
    },
  };
}
