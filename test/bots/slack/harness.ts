import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { createSlackApp, type SlackApp } from '../../../src/bots/slack/app.js';
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
export const WEEK = '2026-W48';
export const SECRET = 'test-signing-secret';
export const NAV_USER = 'U0NAV';
export const DM = 'D0NAV';

/** One Web API call msw saw: method and form fields (blocks and views parsed). */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
}

/** What the Web API mock answers; tests replace entries to simulate failures. */
export type Responder = (
  args: Record<string, unknown>,
) => Response | Record<string, unknown> | Promise<Response | Record<string, unknown>>;

export const calls: SlackCall[] = [];
/** Every log line the current test's service wrote, as pino's JSON. */
export const logs: string[] = [];
export const responders = new Map<string, Responder>();
let ts = 0;

function defaults(): void {
  responders.clear();
  responders.set('auth.test', () => ({ ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T1' }));
  responders.set('chat.postMessage', () => ({
    ok: true,
    channel: DM,
    ts: `1764000000.${String(++ts).padStart(6, '0')}`,
  }));
  responders.set('chat.update', (a) => ({ ok: true, channel: a.channel, ts: a.ts }));
  responders.set('chat.postEphemeral', () => ({ ok: true, message_ts: '1.1' }));
  responders.set('views.publish', () => ({ ok: true }));
  responders.set('views.open', () => ({ ok: true }));
  responders.set('users.lookupByEmail', () => ({ ok: false, error: 'users_not_found' }));
  responders.set('users.info', () => ({ ok: false, error: 'user_not_found' }));
}

export const mockSlack = setupServer(
  http.all(/^http:\/\/127\.0\.0\.1/, () => passthrough()),
  http.post('https://slack.com/api/:method', async ({ params, request }) => {
    const method = String(params.method);
    const form = new URLSearchParams(await request.text());
    const args: Record<string, unknown> = {};
    for (const [k, v] of form) args[k] = ['blocks', 'view'].includes(k) ? JSON.parse(v) : v;
    calls.push({ method, args });
    const responder = responders.get(method);
    if (!responder) return HttpResponse.json({ ok: false, error: 'unknown_method' });
    const out = await responder(args);
    return out instanceof Response ? out : HttpResponse.json(out);
  }),
  // Bolt's respond() for a slash command answered after its acknowledgement.
  http.post('https://hooks.slack.com/commands/*', async ({ request }) => {
    calls.push({ method: 'response_url', args: (await request.json()) as Record<string, unknown> });
    return HttpResponse.text('ok');
  }),
);

export interface Harness {
  ctx: AppContext & { clock: ReturnType<typeof fixedClock> };
  texts: Texts;
  service: CheckinService;
  slack: SlackApp;
  relay: Relay;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** A school with one navigator (matched to Slack) and three students: Ana (7), Ben (8), Cam (7). */
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
      slackUserId: NAV_USER,
      teamsUserId: null,
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

/** Fresh database, real CheckinService and relay, the Bolt app mounted on the service's express app. */
export async function startHarness(): Promise<Harness> {
  calls.length = 0;
  logs.length = 0;
  ts = 0;
  defaults();
  // Bolt checks request timestamps against Date.now(): fake only Date (no timers) so it agrees with our clock.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  const ctx = await testContext({
    now: NOW,
    env: { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET },
  });
  ctx.logger = createLogger({ level: 'info', destination: { write: (line: string) => logs.push(line) } });
  await seed(ctx);
  const texts = createTexts({ defaultLocale: 'en' });
  const service = new CheckinService(ctx, texts);
  const slack = createSlackApp({ ctx, texts, checkins: service });
  const relay = createRelay({ ctx, transports: new TransportRegistry([slack.transport]), rateLimits: false });
  const server = await listen(createHttpApp(ctx, [slack.routes]), 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  return {
    ctx,
    texts,
    service,
    slack,
    relay,
    server,
    url,
    async close() {
      await slack.stop();
      await closeServer(server);
      await ctx.db.close();
      vi.useRealTimers();
    },
  };
}

/**
 * Registers the msw server for the file and a fresh harness for each test. The returned object stays the same
 * across tests; its fields are those of the current test's harness.
 */
export function useSlackHarness(): Harness {
  const h = {} as Harness;
  beforeAll(() => mockSlack.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => mockSlack.close());
  beforeEach(async () => {
    Object.assign(h, await startHarness());
  });
  afterEach(async () => {
    await h.close();
  });
  return h;
}

/** Slack's v0 signature over `v0:<timestamp>:<body>`. */
export function sign(body: string, timestamp: number, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

interface PostOptions {
  timestamp?: number;
  signature?: string;
  headers?: Record<string, string>;
}

/** POSTs a signed request and returns as soon as the service has answered (the acknowledgement). */
export async function send(
  h: Harness,
  body: string,
  contentType: string,
  options: PostOptions = {},
): Promise<{ status: number; text: string }> {
  const timestamp = options.timestamp ?? Math.floor(h.ctx.clock() / 1000);
  const res = await fetch(h.url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(body, timestamp),
      ...options.headers,
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** POSTs a signed request, then waits for the work done after the acknowledgement and runs the relay. */
export async function post(
  h: Harness,
  body: string,
  contentType: string,
  options: PostOptions = {},
): Promise<{ status: number; text: string }> {
  const { status, text } = await send(h, body, contentType, options);
  await h.slack.settled();
  await h.relay.runOnce();
  return { status, text };
}

let seq = 0;

/** An Events API callback. */
export function eventBody(event: Record<string, unknown>, eventId = `Ev${++seq}`): string {
  return JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A1',
    event_id: eventId,
    event_time: 1,
    event,
  });
}

/** An interaction payload as Slack sends it: form-encoded `payload=<json>`. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({
    payload: JSON.stringify({
      team: { id: 'T1' },
      api_app_id: 'A1',
      user: { id: NAV_USER },
      trigger_id: `trig${++seq}`,
      ...payload,
    }),
  }).toString();
}

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

/** The blocks of the newest card in the DM (the last postMessage or update). */
export function latestCard(): { ts: string; blocks: Array<Record<string, unknown>> } {
  const last = calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update').at(-1);
  if (!last) throw new Error('no message sent');
  const posted = last.method === 'chat.update' ? String(last.args.ts) : 'new';
  return { ts: posted, blocks: last.args.blocks as Array<Record<string, unknown>> };
}

/** Every interactive element in some blocks. */
export function elements(blocks: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return blocks.flatMap((b) => [
    ...((b.elements as Array<Record<string, unknown>> | undefined) ?? []),
    ...(b.accessory ? [b.accessory as Record<string, unknown>] : []),
  ]);
}

/** Clicks the newest card's button for a choice id (or an action id), as a block_actions payload. */
export async function click(
  h: Harness,
  match: { choice?: string; actionId?: string },
  extra: Record<string, unknown> = {},
) {
  const matches = (e: Record<string, unknown>) =>
    match.actionId
      ? e.action_id === match.actionId
      : e.action_id === 'checkin.choice' && JSON.parse(String(e.value)).c === match.choice;
  // The newest message showing that button (a notice may have been posted under the card).
  const sent = calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update').reverse();
  const card = sent.find((c) => elements(c.args.blocks as Array<Record<string, unknown>>).some(matches));
  const el = card && elements(card.args.blocks as Array<Record<string, unknown>>).find(matches);
  if (!card || !el)
    throw new Error(`no button ${JSON.stringify(match)} in ${JSON.stringify(latestCard().blocks)}`);
  return post(
    h,
    interactionBody({
      type: 'block_actions',
      channel: { id: DM },
      message: { ts: card.args.ts ?? 'posted', blocks: card.args.blocks },
      actions: [
        {
          action_id: el.action_id,
          block_id: 'answer',
          value: el.value,
          type: 'button',
          action_ts: `${++seq}.1`,
        },
      ],
      ...extra,
    }),
    FORM,
  );
}

/** Clicks a choice button whose card is gone (the payload carries no message), as a late or replayed click. */
export function clickWithoutCard(h: Harness, value: Record<string, unknown>, actionTs: string) {
  return post(
    h,
    interactionBody({
      type: 'block_actions',
      channel: { id: DM },
      actions: [
        {
          action_id: 'checkin.choice',
          block_id: 'answer',
          type: 'button',
          value: JSON.stringify(value),
          action_ts: actionTs,
        },
      ],
    }),
    FORM,
  );
}

/** Types a message in the bot's DM. */
export function say(h: Harness, text: string, eventId?: string, headers?: Record<string, string>) {
  return post(
    h,
    eventBody(
      { type: 'message', channel_type: 'im', channel: DM, user: NAV_USER, text, ts: `${++seq}.2` },
      eventId,
    ),
    JSON_TYPE,
    headers ? { headers } : {},
  );
}

/** The form body of `/checkin <text>` typed by `user`. */
export function slashBody(text: string, user = NAV_USER): string {
  return new URLSearchParams({
    command: '/checkin',
    text,
    user_id: user,
    channel_id: DM,
    team_id: 'T1',
    trigger_id: `trig${++seq}`,
    response_url: 'https://hooks.slack.com/commands/T1/1/x',
  }).toString();
}

/** Runs `/checkin <text>`. */
export function slash(h: Harness, text: string) {
  return post(h, slashBody(text), FORM);
}

/** Adds a navigator the bot has not matched to Slack yet (no Slack id in the roster). */
export async function addUnmatchedNavigator(
  h: Harness,
  id: string,
  email: string,
  name = `Navigator ${id}`,
): Promise<void> {
  await new RosterRepository(h.ctx.db).upsertStaff(
    {
      id,
      schoolId: 'SCH',
      name,
      email,
      role: 'navigator',
      slackUserId: null,
      teamsUserId: null,
      timezone: 'America/Chicago',
      locale: 'en',
    },
    { actor: 'test', at: NOW - 86_400_000 },
  );
}
