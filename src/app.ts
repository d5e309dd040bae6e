import { localRoutes } from './bots/local/routes.js';
import { createLocalTransport } from './bots/local/transport.js';
import type { AppContext } from './context.js';
import { createRelay, type Relay } from './delivery/relay.js';
import { TransportRegistry } from './delivery/transports.js';
import { seedDemoRoster } from './demo/seed.js';
import { createTexts, type Texts } from './i18n/index.js';
import { EMPTY_CALENDAR, loadCalendar } from './jobs/calendar.js';
import { createScheduler, type Scheduler } from './jobs/scheduler.js';
import type { RouteModule } from './server.js';
import { checkinTimerHandlers } from './services/checkin-timers.js';
import { CheckinService } from './services/checkins.js';

/** The calendar file an admin edits (breaks and holidays per school); missing means no breaks. */
export const CALENDAR_FILE = 'config/calendar.json';

/** Everything the running service is made of, built once from a context. */
export interface Service {
  texts: Texts;
  checkins: CheckinService;
  relay: Relay;
  scheduler: Scheduler;
  routes: RouteModule[];
  /** Starts the relay loop and the scheduler. */
  start(): void;
  /** Stops claiming new work and waits for in-flight sends and timers. */
  stop(): Promise<void>;
}

/**
 * Wires services, transports, the relay, the scheduler and the HTTP routes. In local mode it also seeds the
 * demo roster (idempotent) and mounts the simulator.
 */
export function buildService(ctx: AppContext, options: { calendarFile?: string } = {}): Service {
  const texts = createTexts({ defaultLocale: ctx.config.defaultLocale, logger: ctx.logger });
  const checkins = new CheckinService(ctx, texts);
  const transports = new TransportRegistry([createLocalTransport('local')]);
  // Without Twilio the simulator's family phones stand in for real ones, through the same outbox rules.
  if (!ctx.config.twilio) transports.register(createLocalTransport('sms'));
  const relay = createRelay({
    ctx,
    transports,
    onDead: (row) =>
      ctx.logger.error(
        { outboxId: row.id, channel: row.channel, purpose: row.purpose },
        'message is dead: admin attention',
      ),
  });
  const calendarFile = options.calendarFile ?? CALENDAR_FILE;
  const scheduler = createScheduler({
    ctx,
    handlers: checkinTimerHandlers(checkins),
    calendar: () => {
      try {
        return loadCalendar(calendarFile);
      } catch (err) {
        ctx.logger.error(
          { file: calendarFile, err: err instanceof Error ? err.message : err },
          'calendar not loaded',
        );
        return EMPTY_CALENDAR;
      }
    },
  });

  const routes: RouteModule[] = [];
  if (ctx.config.localMode) {
    const seeded = seedDemoRoster(ctx);
    ctx.logger.info({ created: seeded.created, unchanged: seeded.unchanged }, 'demo roster ready');
    routes.push(
      localRoutes({
        checkins,
        texts,
        sendFamilySms: (guardianId, text) => {
          checkins.input('family', guardianId, { kind: 'text', text });
        },
        flush: async () => {
          await relay.runOnce();
        },
      }),
    );
  }

  return {
    texts,
    checkins,
    relay,
    scheduler,
    routes,
    start() {
      relay.start();
      scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      await relay.stop();
    },
  };
}
