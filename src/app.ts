import { dashboardRoutes } from './bots/dashboard/routes.js';
import { localRoutes } from './bots/local/routes.js';
import { createLocalTransport } from './bots/local/transport.js';
import type { SlackApp } from './bots/slack/app.js';
import { handleInboundSms, type InboundSmsDeps } from './bots/sms/inbound.js';
import { createTwilioTransport, loadTwilioSdk } from './bots/sms/transport.js';
import type { TeamsApp } from './bots/teams/app.js';
import type { TwilioConfig } from './config.js';
import type { AppContext } from './context.js';
import { createDeadLetterAlert } from './delivery/dead-letter.js';
import { rateLimitsFrom } from './delivery/rate-limits.js';
import { createRelay, type Relay } from './delivery/relay.js';
import { type Transport, TransportRegistry } from './delivery/transport.js';
import { createUrgentFallback } from './delivery/urgent-fallback.js';
import { seedDemoRoster } from './demo/seed.js';
import { createTexts, type Texts } from './i18n/index.js';
import { EMPTY_CALENDAR, loadCalendar } from './jobs/calendar.js';
import { createScheduler, type Scheduler } from './jobs/scheduler.js';
import { timerKinds } from './jobs/timer-runner.js';
import type { RouteModule, ServiceHealth } from './server.js';
import { checkinTimerHandlers } from './services/checkin-timers.js';
import { CheckinService, defaultChannelPolicy } from './services/checkins.js';
import { digestTimerHandlers } from './services/digest-delivery.js';
import { escalationTimerHandlers } from './services/escalations.js';
import { FamilyInboundService } from './services/family-inbound.js';
import { FamilySmsService } from './services/family-sms.js';
import { navigatorTaskHandlers } from './services/navigator-tasks.js';
import { retentionTimerHandlers, scheduleRetention } from './services/retention.js';
import { createServiceInstances, type ServiceInstances } from './services/service-instances.js';
import { RosterRepository } from './store/repositories/roster.js';

/** The calendar file an admin edits (breaks and holidays per school); missing means no breaks. */
export const CALENDAR_FILE = 'config/calendar.json';

/** Everything the running service is made of, built once from a context. */
export interface Service {
  texts: Texts;
  checkins: CheckinService;
  relay: Relay;
  scheduler: Scheduler;
  /** This instance's heartbeat among those sharing the database; `start` begins it. */
  instances: ServiceInstances;
  routes: RouteModule[];
  /** A text from a family's phone in the simulator, through the real inbound SMS pipeline. */
  simulateFamilyText(guardianId: string, text: string): Promise<void>;
  /** Extra /healthz fields: translation fallbacks by reason, so a missing text is never silent. */
  health(): ServiceHealth;
  /** Connects to Slack (Socket Mode), matches staff, starts the relay loop and the scheduler. */
  start(): Promise<void>;
  /** Stops claiming new work and waits for in-flight sends and timers. */
  stop(): Promise<void>;
}

/** A configured channel whose code or SDK could not be loaded: start-up stops and names the channel. */
export class ChannelLoadError extends Error {
  constructor(channel: string, cause: unknown) {
    const code = (cause as { code?: unknown })?.code;
    // A loader's message names a module or a file, never a setting's value.
    const why =
      cause instanceof Error ? `${typeof code === 'string' ? `${code}: ` : ''}${cause.message}` : 'error';
    super(
      `${channel} is configured but its SDK could not be loaded (${why.split('\n')[0]}); run \`npm ci\` and start again`,
      { cause },
    );
    this.name = 'ChannelLoadError';
  }
}

/**
 * Loads a channel's module when it is configured, not at start-up of every service: the Slack, Microsoft 365
 * and Twilio SDKs took most of the start-up time of a service that uses none of them.
 */
async function loadChannel<T>(channel: string, load: () => Promise<T> | T): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw new ChannelLoadError(channel, err);
  }
}

/**
 * The transport families' texts leave by: the Twilio SDK, each text checked against the family SMS rules
 * (consent, opt-out, final body) just before it goes, and what Twilio says about a number recorded.
 */
export function twilioSmsTransport(ctx: AppContext, twilio: TwilioConfig, sms: FamilySmsService): Transport {
  return createTwilioTransport(twilio, ctx.logger, {
    ...(ctx.config.publicBaseUrl ? { publicBaseUrl: ctx.config.publicBaseUrl } : {}),
    clock: ctx.clock,
    prepare: (m) => sms.prepareOutbound(m),
    onPermanentError: (m, code) => sms.applySendError(m.recipientId, code, m.address),
  });
}

/**
 * Wires services, transports, the relay, the scheduler and the HTTP routes. In local mode it also seeds the
 * demo roster (idempotent) and mounts the simulator.
 */
export async function buildService(
  ctx: AppContext,
  options: { calendarFile?: string } = {},
): Promise<Service> {
  const texts = createTexts({ defaultLocale: ctx.config.defaultLocale, logger: ctx.logger });
  const policy = defaultChannelPolicy(ctx);
  const checkins = new CheckinService(ctx, texts, policy);
  const sms = new FamilySmsService(ctx, texts);
  const transports = new TransportRegistry();
  const { twilio, slack: slackConfig, teams: teamsConfig } = ctx.config;
  // All configured channels are loaded before anything is built, so a missing SDK stops start-up first.
  const [slackModule, teamsModule, smsRoutesModule] = await Promise.all([
    slackConfig ? loadChannel('Slack', () => import('./bots/slack/app.js')) : undefined,
    teamsConfig ? loadChannel('Microsoft Teams', () => import('./bots/teams/app.js')) : undefined,
    twilio
      ? loadChannel('Twilio (SMS)', async () => {
          loadTwilioSdk();
          return import('./bots/sms/routes.js');
        })
      : undefined,
  ]);
  if (ctx.config.localMode) transports.register(createLocalTransport('local'));
  if (twilio) transports.register(twilioSmsTransport(ctx, twilio, sms));
  else if (ctx.config.localMode)
    // Without any real channel the simulator's family phones stand in, through the same outbox rules.
    transports.register(createLocalTransport('sms', (m) => sms.prepareOutbound(m)));
  const inbound: InboundSmsDeps = {
    sms,
    continueFamilyDialog: (guardianId, text) => checkins.input('family', guardianId, { kind: 'text', text }),
    carrierHandlesOptOut: Boolean(ctx.config.twilio),
  };
  const instances = createServiceInstances(ctx);
  const relay = createRelay({
    ctx,
    transports,
    instances: () => instances.count(),
    rateLimits: rateLimitsFrom(ctx.config.rateLimits),
    onDead: createDeadLetterAlert(ctx, { route: (staff) => policy.navigatorChannel(staff) }),
    onUrgentFailing: createUrgentFallback(ctx, { route: (staff) => policy.navigatorChannel(staff) }),
  });
  const calendarFile = options.calendarFile ?? CALENDAR_FILE;
  const scheduler = createScheduler({
    ctx,
    handlers: timerKinds(
      checkinTimerHandlers(checkins),
      escalationTimerHandlers(),
      digestTimerHandlers(),
      retentionTimerHandlers(),
      navigatorTaskHandlers({ calendar: () => loadCalendar(calendarFile) }),
    ),
    channels: { sms: policy.smsAvailable },
    instances,
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

  const slack: SlackApp | undefined = slackModule?.createSlackApp({ ctx, texts, checkins });
  if (slack) transports.register(slack.transport);
  // Slack and Teams side by side: the roster says who is where (staff-routing prefers Slack, then Teams).
  const teams: TeamsApp | undefined = teamsModule?.createTeamsApp({ ctx, texts, checkins });
  if (teams) transports.register(teams.transport);

  const routes: RouteModule[] = [];
  if (slack) routes.push(slack.routes);
  if (teams) routes.push(teams.routes);
  // Lead navigators' dashboard: signed links only, so it is served in every mode.
  routes.push(dashboardRoutes({ texts }));
  if (ctx.config.dashboard.secretGenerated && !ctx.config.localMode)
    ctx.logger.warn('DASHBOARD_SECRET is not set: dashboard links stop working when the service restarts');
  // The simulator's family phone: the same inbound pipeline as Twilio's webhook, after its signature check.
  const simulateFamilyText = async (guardianId: string, text: string) => {
    const phone = (await new RosterRepository(ctx.db).guardian(guardianId))?.phone;
    if (phone)
      await handleInboundSms(ctx, inbound, { from: phone, body: text, messageSid: `SMlocal${ctx.ids()}` });
  };
  const smsRoutes = smsRoutesModule?.createSmsRoutes(inbound);
  if (smsRoutes) routes.push(smsRoutes.routes);
  if (ctx.config.localMode) {
    const seeded = await seedDemoRoster(ctx);
    ctx.logger.info({ created: seeded.created, unchanged: seeded.unchanged }, 'demo roster ready');
    routes.push(
      localRoutes({
        checkins,
        texts,
        sendFamilySms: simulateFamilyText,
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
    instances,
    routes,
    simulateFamilyText,
    health: () => ({
      translationFallbacks: {
        unknownLocale: texts.counters.unknownLocale,
        missingKey: texts.counters.missingKey,
      },
      ...(teams ? { teams: teams.health() } : {}),
      // A channel whose credentials were refused is configured but not working: say so at the top.
      ...(teams?.health().credentials === 'refused' ? { problems: ['teams:credentials_refused'] } : {}),
    }),
    async start() {
      // In the background, like Slack's token check: Microsoft being slow must not keep the service down.
      if (teams) void teams.checkCredentials();
      if (slack) {
        await slack.start();
        // Staff without a Slack id are matched by e-mail, so the first weekly prompt reaches them. In the
        // background: Slack being slow or down must not keep the service from starting.
        slack.directory
          .matchAll()
          .then((m) =>
            ctx.logger.info(
              { matched: m.matched, unmatched: m.unmatched.length },
              'slack: staff matched to Slack users',
            ),
          )
          .catch((err: unknown) =>
            ctx.logger.warn(
              { err: err instanceof Error ? err.message : 'error' },
              'slack: staff matching failed; retried at next start',
            ),
          );
      }
      // Texts a crash cut short go to their navigators before new ones are taken in.
      await new FamilyInboundService(ctx, inbound).recoverUnfinished();
      await scheduleRetention(ctx);
      await instances.start();
      relay.start();
      scheduler.start();
    },
    async stop() {
      await slack?.stop();
      await slack?.settled();
      await smsRoutes?.idle();
      await scheduler.stop();
      await relay.stop();
      await instances.stop();
    },
  };
}
