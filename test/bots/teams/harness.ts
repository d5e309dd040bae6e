import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clearJwksClients } from '@microsoft/agents-hosting';
import { HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createTeamsApp, type TeamsApp } from '../../../src/bots/teams/app.js';
import type { AppContext } from '../../../src/context.js';
import { createRelay, type Relay } from '../../../src/delivery/relay.js';
import { TransportRegistry } from '../../../src/delivery/transport.js';
import { createTexts, type Texts } from '../../../src/i18n/index.js';
import type { fixedClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { closeServer, createHttpApp, listen } from '../../../src/server.js';
import { CheckinService } from '../../../src/services/checkins.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { testContext } from '../../helpers/context.js';

// Tuesday 2026-11-24, 15:00 UTC = 09:00 in Chicago: week 2026-W48.
export const NOW = Date.parse('2026-11-24T15:00:00Z');
export const APP_ID = '00000000-0000-0000-0000-0000000000a1';
export const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
export const NAV_AAD = 'aad-nav-1';
export const NAV_USER = '29:nav-1';
export const CHAT = 'a:chat-nav-1';
const CONNECTOR = 'https://smba.trafficmanager.net/amer/v3/conversations';

// The Bot Framework's signing key, as the test plays it: tokens are signed with the private half and the
// mocked OpenID keys endpoint serves the public half, so the SDK checks real signatures.
const botFramework = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = 'test-key-1';

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A Bot Framework token as Azure Bot Service signs it (RS256, issuer api.botframework.com). */
export function botToken(
  options: { key?: KeyObject; audience?: string; nowMs?: number; serviceUrl?: string } = {},
): string {
  const iat = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: KID }));
  const payload = b64url(
    JSON.stringify({
      iss: 'https://api.botframework.com',
      aud: options.audience ?? APP_ID,
      serviceurl: options.serviceUrl ?? SERVICE_URL,
      iat,
      nbf: iat - 5,
      exp: iat + 3600,
    }),
  );
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${b64url(signer.sign(options.key ?? botFramework.privateKey))}`;
}

export const strangerKey = stranger.privateKey;

/** One Bot Connector call msw saw. */
export interface ConnectorCall {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  auth: string | null;
}

/** What the Bot Connector mock answers to sends and updates; tests replace it to simulate failures. */
export type Responder = (call: ConnectorCall) => Response | Record<string, unknown>;

export const calls: ConnectorCall[] = [];
export const tokenRequests: string[] = [];
export const logs: string[] = [];
export const connector: { send: Responder; update: Responder; member: Responder } = {
  send: () => ({}),
  update: () => ({}),
  member: () => ({}),
};
let activitySeq = 0;

function defaults(): void {
  connector.send = () => ({ id: `act-${++activitySeq}` });
  connector.update = (c) => ({ id: c.path.split('/').at(-1) });
  connector.member = () => HttpResponse.json({ code: 'NotFound' }, { status: 404 });
}

async function record(request: Request): Promise<ConnectorCall> {
  const text = request.method === 'GET' ? '' : await request.text();
  const call = {
    method: request.method,
    path: new URL(request.url).pathname.replace('/amer/v3/conversations/', ''),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    auth: request.headers.get('authorization'),
  };
  calls.push(call);
  return call;
}

const answer = (out: Response | Record<string, unknown>) =>
  out instanceof Response ? out : HttpResponse.json(out);

export const mockMicrosoft = setupServer(
  http.all(/^http:\/\/127\.0\.0\.1/, () => passthrough()),
  // Where the SDK fetches the keys that sign Bot Framework tokens.
  http.get('https://login.botframework.com/v1/.well-known/keys', () =>
    HttpResponse.json({
      keys: [{ ...botFramework.publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' }],
    }),
  ),
  // MSAL's client-credentials flow for the bot's own token (multi-tenant: the botframework.com tenant).
  http.get('https://login.microsoftonline.com/common/discovery/instance', () =>
    HttpResponse.json({
      tenant_discovery_endpoint:
        'https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration',
      'api-version': '1.1',
      metadata: [
        {
          preferred_network: 'login.microsoftonline.com',
          preferred_cache: 'login.windows.net',
          aliases: ['login.microsoftonline.com', 'login.windows.net'],
        },
      ],
    }),
  ),
  http.get('https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration', () =>
    HttpResponse.json({
      token_endpoint: 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token',
      authorization_endpoint: 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/authorize',
      issuer: 'https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0',
      jwks_uri: 'https://login.microsoftonline.com/botframework.com/discovery/v2.0/keys',
      response_types_supported: ['code', 'token'],
    }),
  ),
  http.post('https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token', async ({ request }) => {
    tokenRequests.push(new URLSearchParams(await request.text()).get('scope') ?? '');
    return HttpResponse.json({ token_type: 'Bearer', expires_in: 3600, access_token: 'bot-access-token' });
  }),
  http.post(`${CONNECTOR}/:conversation/activities`, async ({ request }) =>
    answer(connector.send(await record(request))),
  ),
  // The SDK sends a proactive message as a reply to its continuation activity (random id).
  http.post(`${CONNECTOR}/:conversation/activities/:replyTo`, async ({ request }) =>
    answer(connector.send(await record(request))),
  ),
  http.put(`${CONNECTOR}/:conversation/activities/:activity`, async ({ request }) =>
    answer(connector.update(await record(request))),
  ),
  http.get(`${CONNECTOR}/:conversation/members/:member`, async ({ request }) =>
    answer(connector.member(await record(request))),
  ),
);

export interface Harness {
  ctx: AppContext & { clock: ReturnType<typeof fixedClock> };
  texts: Texts;
  service: CheckinService;
  teams: TeamsApp;
  relay: Relay;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** A school with one navigator (known by their AAD id) and three students: Ana (7), Ben (8), Cam (7). */
export async function seed(ctx: AppContext): Promise<void> {
  const roster = new RosterRepository(ctx.db);
  const by = { actor: 'test', at: NOW - 86_400_000 };
  await roster.upsertSchool({ id: 'SCH', name: 'Lincoln Middle', timezone: 'America/Chicago' }, by);
  await roster.upsertStaff(
    {
      id: 'nav-1',
      schoolId: 'SCH',
      name: 'Nia Navigator',
      email: 'nia@district.example',
      role: 'navigator',
      slackUserId: null,
      teamsUserId: NAV_AAD,
      timezone: 'America/Chicago',
      locale: 'en',
    },
    by,
  );
  for (const [id, firstName, lastName, grade] of [
    ['S-1', 'Ana', 'Alvarez', '7'],
    ['S-2', 'Ben', 'Brown', '8'],
    ['S-3', 'Cam', 'Chen', '7'],
  ] as const) {
    await roster.upsertStudent({ id, schoolId: 'SCH', firstName, lastName, grade }, by);
    await roster.assignNavigator(id, 'nav-1', by);
  }
}

export async function startHarness(): Promise<Harness> {
  calls.length = 0;
  tokenRequests.length = 0;
  logs.length = 0;
  activitySeq = 0;
  defaults();
  clearJwksClients();
  const ctx = await testContext({
    now: NOW,
    env: {
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 'test-secret',
      MICROSOFT_APP_TYPE: 'MultiTenant',
    },
  });
  ctx.logger = createLogger({ level: 'info', destination: { write: (line: string) => logs.push(line) } });
  await seed(ctx);
  const texts = createTexts({ defaultLocale: 'en' });
  const service = new CheckinService(ctx, texts);
  const teams = createTeamsApp({ ctx, texts, checkins: service });
  const relay = createRelay({ ctx, transports: new TransportRegistry([teams.transport]), rateLimits: false });
  const server = await listen(createHttpApp(ctx, [teams.routes]), 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return {
    ctx,
    texts,
    service,
    teams,
    relay,
    server,
    url,
    async close() {
      await closeServer(server);
      await ctx.db.close();
    },
  };
}

/** Registers the msw server for the file and a fresh harness for each test. */
export function useTeamsHarness(): Harness {
  const h = {} as Harness;
  beforeAll(() => mockMicrosoft.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => mockMicrosoft.close());
  beforeEach(async () => {
    Object.assign(h, await startHarness());
  });
  afterEach(async () => {
    await h.close();
  });
  return h;
}

let seq = 0;

/** An activity in the navigator's personal chat, as Teams sends it. */
export function activity(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    id: `in-${++seq}`,
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: { id: NAV_USER, aadObjectId: NAV_AAD, name: 'Nia Navigator' },
    recipient: { id: `28:${APP_ID}`, name: 'Check-ins' },
    conversation: { id: CHAT, conversationType: 'personal', tenantId: 'tenant-1' },
    channelData: { tenant: { id: 'tenant-1' } },
    ...fields,
  };
}

/** POSTs an activity with a token (default: a valid one) and returns the HTTP status. */
export async function post(
  h: Harness,
  body: Record<string, unknown>,
  token: string | null = botToken(),
): Promise<number> {
  const res = await fetch(h.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

/** POSTs an activity, then runs the relay so what it queued is sent. */
export async function deliver(h: Harness, body: Record<string, unknown>): Promise<number> {
  const status = await post(h, body);
  await h.relay.runOnce();
  return status;
}

/** Cards and texts sent or updated in the chat, newest last. */
export function sent(): ConnectorCall[] {
  return calls.filter((c) => c.method === 'POST' || c.method === 'PUT');
}

/** The conversation a send or update went to. */
export function conversationOf(call: ConnectorCall): string {
  return decodeURIComponent(call.path.split('/')[0] ?? '');
}

/** The Adaptive Card of a sent activity. */
export function cardOf(call: ConnectorCall): Record<string, unknown> {
  const attachments = call.body?.attachments as Array<{ content: Record<string, unknown> }> | undefined;
  const card = attachments?.[0]?.content;
  if (!card) throw new Error(`no card in ${JSON.stringify(call.body)}`);
  return card;
}

/** Every Action.Submit of a card (in ActionSets and at the bottom). */
export function submits(
  card: Record<string, unknown>,
): Array<{ title: string; data: Record<string, unknown> }> {
  const out: Array<{ title: string; data: Record<string, unknown> }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'Action.Submit')
      out.push({ title: String(n.title), data: n.data as Record<string, unknown> });
    for (const v of Object.values(n)) walk(v);
  };
  walk(card);
  return out;
}

/** The newest card in the chat (the last send or update that carried one). */
export function latestCard(): Record<string, unknown> {
  const last = sent()
    .filter((c) => Array.isArray(c.body?.attachments))
    .at(-1);
  if (!last) throw new Error('no card sent');
  return cardOf(last);
}

/**
 * Presses a button of the newest card showing it (a choice id, or an action such as 'stop'), with the card's
 * inputs as Teams merges them into the submitted value.
 */
export async function press(
  h: Harness,
  match: { choice?: string; action?: string },
  inputs: Record<string, string> = {},
): Promise<void> {
  const matches = (d: Record<string, unknown>) =>
    match.choice ? d.a === 'choice' && d.c === match.choice : d.a === match.action;
  const cards = sent()
    .filter((c) => Array.isArray(c.body?.attachments))
    .reverse();
  const card = cards.map(cardOf).find((c) => submits(c).some((s) => matches(s.data)));
  const button = card && submits(card).find((s) => matches(s.data));
  if (!button) throw new Error(`no button ${JSON.stringify(match)} in ${JSON.stringify(latestCard())}`);
  await deliver(h, activity({ text: undefined, value: { ...button.data, ...inputs } }));
}

/** Types a line in the navigator's chat with the bot. */
export function type(h: Harness, text: string): Promise<number> {
  return deliver(h, activity({ text }));
}
