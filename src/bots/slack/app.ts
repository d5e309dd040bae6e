import { App, ExpressReceiver, LogLevel, webApi } from '@slack/bolt';
import type { NextFunction, Request, Response } from 'express';
import type { SlackConfig } from '../../config.js';
import type { AppContext } from '../../context.js';
import type { Transport } from '../../delivery/transport.js';
import type { Texts } from '../../i18n/index.js';
import type { RouteModule } from '../../server.js';
import { ChatMessages } from '../../services/chat-messages.js';
import { type CheckinsPort, NavigatorConversation } from '../../services/navigator-conversation.js';
import { OutOfOffice } from '../../services/out-of-office.js';
import { StaffDirectory } from '../../services/staff-directory.js';
import { slackErrorCode } from './errors.js';
import { registerListeners } from './listeners/index.js';
import { SlackDirectory } from './staff.js';
import { createSlackTransport, loggableError } from './transport.js';

/** Where Slack posts events, interactions and the slash command (one Request URL for all three). */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack signs each request with a timestamp; older or newer than this is refused (replay protection). */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** How to build the Slack adapter. Only `ctx`, `texts` and `checkins` are required. */
export interface SlackAppOptions {
  ctx: AppContext;
  texts: Texts;
  checkins: CheckinsPort;
  /** Default: ctx.config.slack. */
  slack?: SlackConfig;
  /** Web API base URL (tests point it at msw). Default: `slack.apiUrl`, else https://slack.com/api/. */
  slackApiUrl?: string;
  /**
   * Learn the bot's own user id with auth.test as soon as the app is built, in the background (default true).
   * The CLI turns it off and checks the token itself, to print a clear message.
   */
  verifyToken?: boolean;
}

/** The Slack adapter: HTTP routes (or Socket Mode), the outbox transport and the staff directory. */
export interface SlackApp {
  /** Adds POST /slack/events to the service's express app (a no-op in Socket Mode). */
  routes: RouteModule;
  transport: Transport;
  directory: SlackDirectory;
  client: webApi.WebClient;
  /** Socket Mode: opens the connection. HTTP: nothing to do (the service's server receives). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Queues a publish of a staff member's App Home (after a weekly prompt, for instance); the relay renders it
   * when it sends, so it is fresh. Returns the outbox id, or null when one is already waiting or the staff
   * member has no Slack id.
   */
  publishHome(staffId: string): Promise<string | null>;
  /** Resolves when the work started after acknowledgements has finished (tests, graceful shutdown). */
  settled(): Promise<void>;
}

/** Bolt's logger interface over pino. Bolt's own debug output (request bodies) is kept below our level. */
function boltLogger(ctx: AppContext) {
  const log = ctx.logger.child({ component: 'slack' });
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: (...msg: unknown[]) => log.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => log.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => log.error(msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * Refuses requests whose timestamp is more than five minutes from our clock, in either direction, before Bolt
 * checks the signature: Bolt rejects only stale timestamps, and by the wall clock rather than the injected one.
 */
export function timestampGuard(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const raw = req.header('x-slack-request-timestamp');
    const ts = raw && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    const now = Math.floor(ctx.clock() / 1000);
    if (!Number.isFinite(ts) || Math.abs(now - ts) > MAX_CLOCK_SKEW_SECONDS) {
      ctx.logger.warn({ path: req.path }, 'slack: request timestamp outside the five-minute window');
      res.status(401).send();
      return;
    }
    next();
  };
}

/** Slack's answers to auth.test that mean the token itself is wrong, not that Slack could not be reached. */
const TOKEN_REFUSED = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
]);

/**
 * The bot's own user and bot id, so Bolt can ignore the bot's own messages. Learnt with one auth.test in the
 * background and again at most once a minute while unknown; events never wait for it (direct messages from
 * bots are ignored by their `bot_id` anyway). A failure is logged with its real cause.
 */
function botIdentity(ctx: AppContext, client: webApi.WebClient) {
  let ids: { botUserId?: string; botId?: string } = {};
  let learning: Promise<void> | undefined;
  let lastTry = Number.NEGATIVE_INFINITY;
  const learn = (): Promise<void> => {
    lastTry = ctx.clock();
    learning ??= client.auth
      .test()
      .then((r) => {
        ids = { ...(r.user_id ? { botUserId: r.user_id } : {}), ...(r.bot_id ? { botId: r.bot_id } : {}) };
      })
      .catch((err: unknown) => {
        const code = slackErrorCode(err);
        if (code && TOKEN_REFUSED.has(code))
          ctx.logger.error({ code }, 'slack: SLACK_BOT_TOKEN was refused; set a valid bot token (xoxb-…)');
        else
          ctx.logger.warn(
            { ...loggableError(err) },
            'slack: could not reach Slack to check the bot token; events are still processed',
          );
      })
      .finally(() => {
        learning = undefined;
      });
    return learning;
  };
  return {
    learn,
    known() {
      if (!ids.botUserId && ctx.clock() - lastTry >= 60_000) void learn();
      return ids;
    },
  };
}

/**
 * Builds the Bolt app. HTTP mode: an ExpressReceiver whose router is mounted on the service's express app at
 * POST /slack/events (signature verified by Bolt, acknowledgement before the work). Socket Mode when the
 * config has an app token: no public URL needed. The Web API client never retries: the outbox relay does.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { ctx, texts, checkins } = options;
  const slack = options.slack ?? ctx.config.slack;
  if (!slack)
    throw new Error('slack: createSlackApp needs config.slack (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)');
  const logger = boltLogger(ctx);
  const clientOptions: webApi.WebClientOptions = {
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    ...((options.slackApiUrl ?? slack.apiUrl) ? { slackApiUrl: options.slackApiUrl ?? slack.apiUrl } : {}),
  };
  const socketMode = Boolean(slack.appToken);
  const receiver = socketMode
    ? undefined
    : new ExpressReceiver({
        signingSecret: slack.signingSecret,
        endpoints: SLACK_EVENTS_PATH,
        processBeforeResponse: false,
        logger,
      });
  const client = new webApi.WebClient(slack.botToken, clientOptions);
  const identity = botIdentity(ctx, client);
  // Every event is authorised from the configured token, without Bolt's auth.test round trip: when Slack's
  // API is unreachable for a moment that call fails after the event was acknowledged, and Slack does not
  // send it again, so a navigator's reply would be lost.
  const app = new App({
    authorize: async () => ({ botToken: slack.botToken, ...identity.known() }),
    logger,
    clientOptions,
    ignoreSelf: true,
    ...(receiver ? { receiver } : { socketMode: true, appToken: slack.appToken! }),
  });
  if (options.verifyToken ?? true) void identity.learn();

  const staff = new StaffDirectory(ctx);
  const directory = new SlackDirectory(ctx, staff, client);
  const conversation = new NavigatorConversation(ctx, texts, checkins);
  const messages = new ChatMessages(ctx, 'slack');
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => {});
  };
  const replies = registerListeners(
    app,
    {
      ctx,
      texts,
      conversation,
      outOfOffice: new OutOfOffice(ctx),
      messages,
      staff,
      directory,
      client,
    },
    track,
  );

  return {
    routes: (express) => {
      if (!receiver) return;
      express.use(SLACK_EVENTS_PATH, timestampGuard(ctx));
      express.use(receiver.router);
    },
    transport: createSlackTransport({ ctx, texts, client, conversation, messages }),
    directory,
    client,
    async start() {
      void identity.learn();
      if (socketMode) await app.start();
      ctx.logger.info({ mode: socketMode ? 'socket' : 'http' }, 'slack: ready');
    },
    async stop() {
      if (socketMode) await app.stop();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    publishHome: (staffId) => replies.publishHome(staffId),
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
