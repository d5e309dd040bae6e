import { authorizeJWT, CloudAdapter, type Request as SdkRequest } from '@microsoft/agents-hosting';
import express from 'express';
import type { TeamsConfig } from '../../config.js';
import type { AppContext } from '../../context.js';
import type { Transport } from '../../delivery/transport.js';
import type { Texts } from '../../i18n/index.js';
import { errorName } from '../../lib/logger.js';
import type { RouteModule } from '../../server.js';
import { ChatMessages } from '../../services/chat-messages.js';
import { InboundEvents } from '../../services/inbound-events.js';
import { type CheckinsPort, NavigatorConversation } from '../../services/navigator-conversation.js';
import { StaffDirectory } from '../../services/staff-directory.js';
import { TeamsConversations } from '../../services/teams-conversations.js';
import { authConfiguration } from './auth.js';
import { TeamsDirectory } from './directory.js';
import { createTeamsTransport } from './transport.js';
import { createTurnHandler } from './turn.js';

/** Where the Azure Bot registration's messaging endpoint points. */
export const TEAMS_MESSAGES_PATH = '/api/messages';

/** The audience of the token the bot sends with (the Bot Connector service). */
const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

/** How to build the Teams adapter. Only `ctx`, `texts` and `checkins` are required. */
export interface TeamsAppOptions {
  ctx: AppContext;
  texts: Texts;
  checkins: CheckinsPort;
  /** Default: ctx.config.teams. */
  teams?: TeamsConfig;
}

/** The Teams adapter: the bot endpoint, the outbox transport and the staff directory. */
export interface TeamsApp {
  /** Adds POST /api/messages to the service's express app. */
  routes: RouteModule;
  transport: Transport;
  directory: TeamsDirectory;
  /**
   * Asks Microsoft for the bot's token once, so a wrong app id or secret shows at start-up and in /healthz
   * rather than at the first weekly prompt. Never throws.
   */
  checkCredentials(): Promise<void>;
  /** For /healthz: whether Microsoft accepted the app credentials ('unchecked' until checked). */
  health(): { credentials: 'unchecked' | 'accepted' | 'refused' };
}

/**
 * Builds the Teams adapter on the Microsoft 365 Agents SDK. Every request to the endpoint must carry a
 * Bot Framework token for this app id (the SDK's JWT middleware, before the body is even parsed); the
 * activity is then handled once and answered. The SDK's default turn error handler would post an error
 * text into the chat: ours only logs.
 */
export function createTeamsApp(options: TeamsAppOptions): TeamsApp {
  const { ctx, texts, checkins } = options;
  const teams = options.teams ?? ctx.config.teams;
  if (!teams) throw new Error('teams: createTeamsApp needs config.teams (MICROSOFT_APP_ID and its secret)');
  const auth = authConfiguration(teams);
  // A token names the service URL it was issued for; an activity claiming another one is refused.
  const adapter = new CloudAdapter(auth, undefined, undefined, { validateServiceUrl: true });
  adapter.onTurnError = async (_context, err) => {
    ctx.logger.error({ err: errorName(err) }, 'teams: turn failed');
  };
  let credentials: ReturnType<TeamsApp['health']>['credentials'] = 'unchecked';
  const staff = new StaffDirectory(ctx);
  const conversations = new TeamsConversations(ctx);
  const directory = new TeamsDirectory(ctx, staff, conversations);
  const conversation = new NavigatorConversation(ctx, texts, checkins);
  const messages = new ChatMessages(ctx, 'teams');
  const onTurn = createTurnHandler({
    ctx,
    texts,
    conversation,
    conversations,
    messages,
    directory,
    inbound: new InboundEvents(ctx),
  });

  return {
    routes: (app) => {
      app.post(TEAMS_MESSAGES_PATH, authorizeJWT(auth), express.json({ limit: '1mb' }), async (req, res) => {
        try {
          await adapter.process(req as unknown as SdkRequest, res, onTurn);
        } catch (err) {
          ctx.logger.error({ err: errorName(err) }, 'teams: request failed');
          if (!res.headersSent) res.status(500).end();
        }
      });
    },
    transport: createTeamsTransport({
      ctx,
      texts,
      adapter,
      appId: teams.appId,
      conversations,
      conversation,
      messages,
      staff,
    }),
    directory,
    async checkCredentials() {
      try {
        await adapter.connectionManager.getDefaultConnection().getAccessToken(BOT_FRAMEWORK_SCOPE);
        credentials = 'accepted';
      } catch {
        credentials = 'refused';
        ctx.logger.error(
          'teams: Microsoft refused the app credentials (MICROSOFT_APP_ID, _PASSWORD, _TENANT_ID, _TYPE); navigators will not get Teams messages until they are fixed',
        );
      }
    },
    health: () => ({ credentials }),
  };
}
