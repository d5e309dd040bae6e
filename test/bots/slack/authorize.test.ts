import type { AddressInfo } from 'node:net';
import { HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createSlackApp } from '../../../src/bots/slack/app.js';
import { closeServer, createHttpApp, listen } from '../../../src/server.js';
import { CheckinRepository } from '../../../src/store/repositories/checkins.js';
import { calls, logs, responders, say, slash, useSlackHarness, WEEK } from './harness.js';

const h = useSlackHarness();

const answers = async () => {
  const row = await new CheckinRepository(h.ctx.db).sessionFor('nav-1', 'navigator', WEEK);
  return row ? (await new CheckinRepository(h.ctx.db).answersForSession(row.id)).length : 0;
};

describe('Slack events are authorised from the configured token', () => {
  it('a navigator reply is processed while auth.test fails, with no auth.test per event', async () => {
    await slash(h, '');
    await h.slack.settled();
    // As the service builds it: no token check at build time, so nothing is cached before the outage.
    const slack = createSlackApp({ ctx: h.ctx, texts: h.texts, checkins: h.service, verifyToken: false });
    const server = await listen(createHttpApp(h.ctx, [slack.routes]), 0, '127.0.0.1');
    const service = {
      ...h,
      slack,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    };
    try {
      responders.set('auth.test', () => HttpResponse.error());
      calls.length = 0;
      const before = await answers();
      for (const text of ['1', 'Loves chess']) {
        expect((await say(service, text)).status).toBe(200);
        await slack.settled();
      }
      expect(await answers()).toBe(before + 2);
      expect(calls.filter((c) => c.method === 'auth.test')).toHaveLength(1);
    } finally {
      await closeServer(server);
    }
  });

  it('logs a network failure of the token check as such, and a refused token as refused', async () => {
    const build = async () => {
      logs.length = 0;
      createSlackApp({ ctx: h.ctx, texts: h.texts, checkins: h.service });
      await vi.waitFor(() => expect(logs.some((l) => l.includes('bot token'))).toBe(true));
      return logs.join('\n');
    };
    responders.set('auth.test', () => HttpResponse.error());
    const unreachable = await build();
    expect(unreachable).toContain('could not reach Slack');
    expect(unreachable).not.toContain('was refused');
    responders.set('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    expect(await build()).toContain('SLACK_BOT_TOKEN was refused');
  });
});
