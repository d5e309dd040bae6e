import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../../src/app.js';
import { closeServer, createHttpApp, listen } from '../../../src/server.js';
import { testContext } from '../../helpers/context.js';

// Tuesday 2026-11-24 18:00 UTC (noon in Chicago); the digest is due Friday 27 November, 15:00 in Chicago.
const NOW = Date.parse('2026-11-24T18:00:00Z');
const FRIDAY_1500 = Date.parse('2026-11-27T21:00:00Z');

let ctx: Awaited<ReturnType<typeof testContext>>;
let service: Service;
let server: Server;
let base: string;
let token: string;

const sim = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as object), 'x-sim-token': token },
  });

beforeEach(async () => {
  ctx = await testContext({ now: NOW, idPrefix: 'lead' });
  service = await buildService(ctx, { calendarFile: 'config/none.json' });
  server = await listen(createHttpApp(ctx, service.routes), 0, '127.0.0.1');
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  token = /name="sim-token" content="([^"]+)"/.exec(await (await fetch(`${base}/`)).text())![1]!;
});

afterEach(async () => {
  await closeServer(server);
  await service.stop();
});

describe("the simulator's lead navigator", () => {
  it('receives the digest on Friday and opens the dashboard from it', async () => {
    await service.scheduler.planUpcoming();
    const before = (await (await sim('/sim/api/thread/staff/lead-1')).json()) as {
      messages: { text: string }[];
    };
    expect(before.messages.some((m) => m.text.includes('Weekly digest'))).toBe(false);

    ctx.clock.set(FRIDAY_1500);
    await service.scheduler.tick();
    await service.relay.runOnce();
    const after = (await (await sim('/sim/api/thread/staff/lead-1')).json()) as {
      messages: { text: string }[];
    };
    const digest = after.messages.filter((m) =>
      m.text.includes('Weekly digest for Riverside Middle School, 2026-W48'),
    );
    expect(digest).toHaveLength(1);
    // The timer fires once: another tick sends nothing more.
    await service.scheduler.tick();
    await service.relay.runOnce();
    const again = (await (await sim('/sim/api/thread/staff/lead-1')).json()) as {
      messages: { text: string }[];
    };
    expect(again.messages.filter((m) => m.text.includes('Weekly digest'))).toHaveLength(1);

    const now = (await (await sim('/sim/api/lead/lead-1/digest')).json()) as { week: string; text: string };
    expect(now.week).toBe('2026-W48');
    expect(now.text).toContain('Weekly digest for Riverside Middle School, 2026-W48');

    const link = await sim('/sim/api/lead/lead-1/dashboard-link', { method: 'POST' });
    expect(link.status).toBe(200);
    const { url } = (await link.json()) as { url: string };
    expect(url).toMatch(/^\/dashboard\?t=/);
    const opened = await fetch(`${base}${url}`, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/dashboard/s/sch-riverside');
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(`${base}/dashboard/s/sch-riverside`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Riverside Middle School');
    expect(html).toContain('Dana Whitfield');
    expect(html).toContain('id="chart-completion"');
  });

  it('gives no dashboard link to a navigator, and only to the simulator page', async () => {
    expect((await sim('/sim/api/lead/nav-1/dashboard-link', { method: 'POST' })).status).toBe(403);
    const foreign = await fetch(`${base}/sim/api/lead/lead-1/dashboard-link`, { method: 'POST' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: 'missing_or_wrong_token' });
  });
});
