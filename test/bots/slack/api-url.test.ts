import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackApp } from '../../../src/bots/slack/app.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { createTexts } from '../../../src/i18n/index.js';
import { CheckinService } from '../../../src/services/checkins.js';
import { testContext } from '../../helpers/context.js';

const SLACK = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret' };
const STAND_IN = 'http://slack-stand-in.example/api/';
const seen: string[] = [];
const server = setupServer(
  http.post(`${STAND_IN}:method`, ({ params }) => {
    seen.push(`stand-in ${String(params.method)}`);
    return HttpResponse.json({ ok: true, user_id: 'U0BOT', bot_id: 'B0BOT' });
  }),
  http.post('https://slack.com/api/:method', ({ params }) => {
    seen.push(`slack ${String(params.method)}`);
    return HttpResponse.json({ ok: true, user_id: 'U0BOT', bot_id: 'B0BOT' });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

async function authTestThrough(env: Record<string, string>): Promise<string[]> {
  seen.length = 0;
  const ctx = await testContext({ now: 0, env });
  const texts = createTexts({ defaultLocale: 'en' });
  const slack = createSlackApp({ ctx, texts, checkins: new CheckinService(ctx, texts), verifyToken: false });
  await slack.client.auth.test();
  await ctx.db.close();
  return [...seen];
}

describe('Slack Web API address', () => {
  it('sends Web API calls to SLACK_API_URL when it is set, and to Slack otherwise', async () => {
    expect(await authTestThrough({ ...SLACK, SLACK_API_URL: STAND_IN })).toEqual(['stand-in auth.test']);
    expect(await authTestThrough(SLACK)).toEqual(['slack auth.test']);
  });

  it('refuses an address that is not a URL, naming the setting', () => {
    expect(() => loadConfig({ ...SLACK, SLACK_API_URL: 'slack stand-in' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...SLACK, SLACK_API_URL: 'slack stand-in' })).toThrow(/SLACK_API_URL/);
  });
});
