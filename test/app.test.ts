import type { Server } from 'node:http';
import { HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../src/app.js';
import { closeServer, createHttpApp, listen } from '../src/server.js';
import { testContext } from './helpers/context.js';

// Bolt checks its token once at start-up; nothing else may leave this machine.
const slackApi = setupServer(
  http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()),
  http.post('https://slack.com/api/auth.test', () =>
    HttpResponse.json({ ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T1' }),
  ),
);
beforeAll(() => slackApi.listen({ onUnhandledRequest: 'error' }));
afterAll(() => slackApi.close());

const running: { server: Server; service: Service }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await closeServer(r.server);
    await r.service.stop();
  }
});

async function serve(env: Record<string, string>) {
  const ctx = await testContext({ now: Date.parse('2026-11-24T18:00:00Z'), env, idPrefix: 'app' });
  const service = await buildService(ctx, { calendarFile: 'config/none.json' });
  const server = await listen(createHttpApp(ctx, service.routes), 0, '127.0.0.1');
  running.push({ server, service });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

const REAL_CHANNELS = {
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'signing-secret',
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'auth-token',
  TWILIO_FROM_NUMBER: '+15005550006',
  PUBLIC_BASE_URL: 'https://checkins.example.org',
};

describe('service wiring', () => {
  it('with real channels: mounts their webhooks, refuses unsigned requests, and never mounts the simulator', async () => {
    const base = await serve(REAL_CHANNELS);
    const slack = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'url_verification', challenge: 'x' }),
    });
    expect(slack.status).toBe(401);
    const sms = await fetch(`${base}/sms/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'From=%2B15555550100&Body=STOP&MessageSid=SM1',
    });
    expect(sms.status).toBe(403);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/sim/api/people`)).status).toBe(404);
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({
      channels: ['slack', 'sms'],
      localMode: false,
    });
  });

  it('in local mode: the simulator is mounted and the real webhooks are not', async () => {
    const base = await serve({});
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/slack/events`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/sms/inbound`, { method: 'POST' })).status).toBe(404);
  });
});

describe('/healthz', () => {
  it('is degraded while a configured channel is not working, and names the problem', async () => {
    const ctx = await testContext({ now: Date.parse('2026-11-24T18:00:00Z') });
    let problems: string[] = ['teams:credentials_refused'];
    const server = await listen(createHttpApp(ctx, [], { health: () => ({ problems }) }), 0, '127.0.0.1');
    try {
      const address = server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/healthz`;
      expect(await (await fetch(url)).json()).toMatchObject({
        status: 'degraded',
        problems: ['teams:credentials_refused'],
      });
      problems = [];
      expect(await (await fetch(url)).json()).toMatchObject({ status: 'ok' });
    } finally {
      await closeServer(server);
    }
  });
});
