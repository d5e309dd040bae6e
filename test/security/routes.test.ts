import { readFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../src/app.js';
import { closeServer, createHttpApp, listen } from '../../src/server.js';
import { testContext } from '../helpers/context.js';

// Every route the service can mount, with what refuses a caller without credentials. docs/security.md lists
// the same routes; the test checks both that the list is complete and that each route refuses.
const WEBHOOKS = [
  { method: 'POST', path: '/slack/events', refused: 401 },
  { method: 'POST', path: '/sms/inbound', refused: 403 },
  { method: 'POST', path: '/sms/status', refused: 403 },
  { method: 'POST', path: '/api/messages', refused: 401 },
] as const;
const SIMULATOR = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/sim/api/people' },
  { method: 'GET', path: '/sim/api/thread/:kind/:id' },
  { method: 'GET', path: '/sim/api/records' },
  { method: 'POST', path: '/sim/api/navigator/:id/start' },
  { method: 'POST', path: '/sim/api/navigator/:id/input' },
  { method: 'POST', path: '/sim/api/family/:id/start' },
  { method: 'POST', path: '/sim/api/family/:id/sms' },
  { method: 'POST', path: '/sim/api/staff/:id/escalation' },
  { method: 'GET', path: '/sim/api/staff/:id/escalation/:ref/details' },
  { method: 'GET', path: '/sim/api/lead/:id/digest' },
  { method: 'POST', path: '/sim/api/lead/:id/dashboard-link' },
  { method: 'POST', path: '/sim/api/release-held' },
] as const;
const PUBLIC = [{ method: 'GET', path: '/healthz' }] as const;
// Served in every mode; a signed link (exchanged at `GET /dashboard`) or its session cookie is the credential.
const DASHBOARD = [
  { method: 'GET', path: '/dashboard' },
  { method: 'GET', path: '/dashboard/assets/:name' },
  { method: 'POST', path: '/dashboard/logout' },
  ...['/dashboard/district', '/dashboard/s/:schoolId'].flatMap((home) => [
    { method: 'GET', path: home },
    { method: 'GET', path: `${home}/navigators.csv` },
    { method: 'GET', path: `${home}/navigator/:navigatorId` },
    { method: 'GET', path: `${home}/navigator/:navigatorId/caseload.csv` },
    { method: 'GET', path: `${home}/needs` },
    { method: 'GET', path: `${home}/needs.csv` },
    { method: 'GET', path: `${home}/referrals` },
    { method: 'GET', path: `${home}/referrals.csv` },
  ]),
] as const;
/** Dashboard routes that show records: refused without a session (the assets and the link page are not records). */
const DASHBOARD_RECORDS = DASHBOARD.filter((r) => r.path !== '/dashboard/assets/:name');

const REAL_CHANNELS = {
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'signing-secret',
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'auth-token',
  TWILIO_FROM_NUMBER: '+15005550006',
  PUBLIC_BASE_URL: 'https://checkins.example.org',
  MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001',
  MICROSOFT_APP_PASSWORD: 'teams-secret',
  MICROSOFT_APP_TYPE: 'MultiTenant',
};

// No request may leave this machine: platform APIs answer "unauthorised" if anything asks.
const offline = setupServer(
  http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()),
  http.all(/^https:\/\//, () => HttpResponse.json({ ok: false, error: 'invalid_auth' }, { status: 401 })),
);
beforeAll(() => offline.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => offline.close());

const running: { server: Server; service: Service }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await closeServer(r.server);
    await r.service.stop();
  }
});

async function serve(env: Record<string, string> = {}) {
  const ctx = await testContext({ now: Date.parse('2026-11-24T18:00:00Z'), env, idPrefix: 'sec' });
  const service = await buildService(ctx, { calendarFile: 'config/none.json' });
  const app = createHttpApp(ctx, service.routes);
  const server = await listen(app, 0, '127.0.0.1');
  running.push({ server, service });
  const address = server.address();
  return { app, port: typeof address === 'object' && address ? address.port : 0 };
}

interface Layer {
  name: string;
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route the app answers, as "METHOD /path", with the paths routers are mounted at. */
function mountedRoutes(app: unknown): string[] {
  const out: string[] = [];
  const join = (prefix: string, path: string) => (path === '/' && prefix ? prefix : `${prefix}${path}`);
  const walk = (stack: Layer[], prefix: string) => {
    for (const l of stack) {
      if (l.route)
        for (const m of Object.keys(l.route.methods))
          out.push(`${m.toUpperCase()} ${join(prefix, l.route.path)}`);
      else if (l.handle?.stack)
        walk(
          l.handle.stack,
          typeof l.rawPath === 'string' && l.rawPath !== '/' ? `${prefix}${l.rawPath}` : prefix,
        );
    }
  };
  walk((app as { router: { stack: Layer[] } }).router.stack, '');
  return out.sort();
}

/** A request with the given headers (Host included, which fetch will not set) and a small body. */
function call(port: number, method: string, path: string, headers: Record<string, string> = {}) {
  const concrete = path
    .replace(/:kind/, 'navigator')
    .replace(/:id/, 'nav-1')
    .replace(/:ref/, 'E1')
    .replace(/:schoolId/, 'sch-riverside')
    .replace(/:navigatorId/, 'nav-1')
    .replace(/:name/, 'dashboard.js');
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: concrete,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

const WRONG: Record<string, Record<string, string>> = {
  '/slack/events': {
    'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
    'x-slack-signature': `v0=${'0'.repeat(64)}`,
  },
  '/sms/inbound': {
    'x-twilio-signature': 'bm90LXRoZS1zaWduYXR1cmU=',
    'content-type': 'application/x-www-form-urlencoded',
  },
  '/sms/status': {
    'x-twilio-signature': 'bm90LXRoZS1zaWduYXR1cmU=',
    'content-type': 'application/x-www-form-urlencoded',
  },
  '/api/messages': { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.' },
};

describe('every route refuses a caller without the right credentials', () => {
  it('docs/security.md lists every route', () => {
    const doc = readFileSync('docs/security.md', 'utf8');
    for (const r of [...WEBHOOKS, ...SIMULATOR, ...PUBLIC, ...DASHBOARD])
      expect(doc, `${r.method} ${r.path}`).toContain(`\`${r.method} ${r.path}\``);
  });

  it('with real channels: each webhook refuses no signature and a wrong one; no simulator is mounted', async () => {
    const { app, port } = await serve(REAL_CHANNELS);
    expect(mountedRoutes(app)).toEqual(
      [...WEBHOOKS, ...PUBLIC, ...DASHBOARD].map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const r of WEBHOOKS) {
      expect(await call(port, r.method, r.path), `${r.path} without credentials`).toBe(r.refused);
      expect(await call(port, r.method, r.path, WRONG[r.path]), `${r.path} with wrong credentials`).toBe(
        r.refused,
      );
    }
    for (const r of SIMULATOR) expect(await call(port, r.method, r.path), r.path).toBe(404);
    for (const r of DASHBOARD_RECORDS)
      expect(await call(port, r.method, r.path), `${r.method} ${r.path} without a link`).toBe(403);
    expect(await call(port, 'GET', '/healthz')).toBe(200);
  });

  it('local mode: every simulator route refuses another Host, another site, and a missing or wrong token', async () => {
    const { app, port } = await serve();
    expect(mountedRoutes(app)).toEqual(
      [...SIMULATOR, ...PUBLIC, ...DASHBOARD].map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const r of SIMULATOR) {
      const name = `${r.method} ${r.path}`;
      expect(await call(port, r.method, r.path, { host: 'evil.example' }), `${name} foreign Host`).toBe(403);
      if (r.path === '/') continue;
      expect(await call(port, r.method, r.path), `${name} no token`).toBe(403);
      expect(await call(port, r.method, r.path, { 'x-sim-token': 'wrong' }), `${name} wrong token`).toBe(403);
      expect(
        await call(port, r.method, r.path, { origin: 'https://evil.example' }),
        `${name} other site`,
      ).toBe(403);
    }
    for (const r of WEBHOOKS) expect(await call(port, r.method, r.path), r.path).toBe(404);
  });
});
