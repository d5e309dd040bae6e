import type { Server } from 'node:http';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../src/bots/dashboard/routes.js';
import { createTexts } from '../../src/i18n/index.js';
import { closeServer, createHttpApp, listen } from '../../src/server.js';
import {
  csrfToken,
  mintDashboardLink,
  newClaims,
  signToken,
  verifyToken,
} from '../../src/services/dashboard-links.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { testContext } from '../helpers/context.js';
import { NOW, seedDistrict, WEEK } from './seed.js';

const SECRET = 'a-dashboard-secret-of-at-least-32-characters';
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

async function start() {
  const ctx = await testContext({ now: NOW, env: { DASHBOARD_SECRET: SECRET } });
  await seedDistrict(ctx);
  const texts = createTexts({ defaultLocale: 'en' });
  const server = await listen(createHttpApp(ctx, [dashboardRoutes({ texts })]), 0, '127.0.0.1');
  servers.push(server);
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const get = (path: string, cookie?: string) =>
    fetch(`${origin}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  /** Opens a link the way a browser does: the cookie it sets, and where it sends the person. */
  const open = async (staffId: string) => {
    const minted = await mintDashboardLink(ctx, staffId);
    if (!minted.ok) throw new Error(minted.problem);
    const res = await get(new URL(minted.link.url).pathname + new URL(minted.link.url).search);
    const setCookie = res.headers.get('set-cookie') ?? '';
    return { res, setCookie, cookie: setCookie.split(';')[0]!, location: res.headers.get('location') };
  };
  return { ctx, texts, origin, get, open };
}

const reasonOf = async (res: Response) =>
  /<p id="reason">([^<]*)<\/p>/.exec(await res.text())?.[1]?.replaceAll('&#39;', "'");

describe('dashboard links and sessions', () => {
  it('exchanges a valid link for an HttpOnly, SameSite=Strict session cookie and a clean URL', async () => {
    const { open, get } = await start();
    const { res, setCookie, cookie, location } = await open('lead-1');
    expect(res.status).toBe(303);
    expect(location).toBe('/dashboard/s/S1');
    expect(setCookie).toMatch(/^dashboard_session=/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/dashboard');
    expect(setCookie).toContain(`Max-Age=${24 * 3600}`);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await get(`/dashboard/s/S1?week=${WEEK}`, cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Lincoln Middle');
    expect(html).toContain('Lee Lambert');
    // The link's token is not in the page: it was used once, at the door.
    expect(html).not.toContain('?t=');
  });

  it('refuses an expired link with a page that says so', async () => {
    const { ctx, get } = await start();
    const minted = await mintDashboardLink(ctx, 'lead-1');
    if (!minted.ok) throw new Error('not minted');
    ctx.clock.set(NOW + 24 * 3_600_000 + 1);
    const res = await get(`/dashboard?t=${encodeURIComponent(minted.link.token)}`);
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await reasonOf(res)).toBe(
      'This link has expired (links last 24 hours). Open the dashboard again from the button in your latest weekly digest.',
    );
  });

  it('refuses a tampered link: another school written into a validly shaped token', async () => {
    const { ctx, get } = await start();
    const minted = await mintDashboardLink(ctx, 'lead-1');
    if (!minted.ok) throw new Error('not minted');
    const [body, signature] = minted.link.token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'district' })).toString('base64url');
    const res = await get(`/dashboard?t=${forged}.${signature}`);
    expect(res.status).toBe(403);
    expect(await reasonOf(res)).toMatch(/changed after it was sent/);
    // Signed with another key: refused the same way.
    const other = signToken('another-secret-of-at-least-32-characters!!', claims);
    expect((await get(`/dashboard?t=${other}`)).status).toBe(403);
    // A session cookie pasted as a link is not a link.
    const session = signToken(SECRET, { ...claims, use: 'session' });
    const wrongUse = await get(`/dashboard?t=${session}`);
    expect(wrongUse.status).toBe(403);
    expect(await reasonOf(wrongUse)).toMatch(/cannot be used here/);
  });

  it('refuses pages of another school than the link’s, and a link naming a school its holder is not in', async () => {
    const { ctx, open, get } = await start();
    const { cookie } = await open('lead-1');
    const other = await get(`/dashboard/s/S2?week=${WEEK}`, cookie);
    expect(other.status).toBe(403);
    expect(await reasonOf(other)).toBe("Your link opens another school's dashboard, not this one.");
    expect((await get(`/dashboard/district?week=${WEEK}`, cookie)).status).toBe(403);
    expect((await get(`/dashboard/s/S2/needs.csv`, cookie)).status).toBe(403);
    expect((await get(`/dashboard/s/S1/navigator/nav-9`, cookie)).status).toBe(404);
    // Signed correctly, but for a school lead-1 does not lead: refused at the door.
    const stray = signToken(SECRET, newClaims('link', 'lead-1', { schoolId: 'S2' }, ctx.clock(), 3_600_000));
    const res = await get(`/dashboard?t=${stray}`);
    expect(res.status).toBe(403);
    expect(await reasonOf(res)).toMatch(/another school/);
    // Nor can such a link be minted.
    expect(await mintDashboardLink(ctx, 'lead-1', { scope: { schoolId: 'S2' } })).toEqual({
      ok: false,
      problem: 'dashboard:not_allowed',
    });
  });

  it('gives a district admin the district and every school, students by id only', async () => {
    const { open, get } = await start();
    const { location, cookie } = await open('admin-1');
    expect(location).toBe('/dashboard/district');
    const district = await get(`/dashboard/district?week=${WEEK}`, cookie);
    expect(district.status).toBe(200);
    const html = await district.text();
    expect(html).toContain('Harbor High');
    expect(html).toContain('Cal Cruz');
    const needs = await (await get('/dashboard/s/S2/needs', cookie)).text();
    expect(needs).toContain('st-9');
    expect(needs).not.toContain('Zoe');
  });

  it('refuses a navigator a link, and anyone without a session', async () => {
    const { ctx, get } = await start();
    expect(await mintDashboardLink(ctx, 'nav-1')).toEqual({ ok: false, problem: 'dashboard:not_allowed' });
    const res = await get('/dashboard/s/S1');
    expect(res.status).toBe(403);
    expect(await reasonOf(res)).toMatch(/Open the dashboard from the button in your weekly digest/);
  });

  it('speaks the lead navigator’s language, refusals included', async () => {
    const { open, get } = await start();
    const { cookie } = await open('lead-es');
    const html = await (await get(`/dashboard/s/S1?week=${WEEK}`, cookie)).text();
    expect(html).toContain('Panel de navegadores líderes');
    expect(await reasonOf(await get('/dashboard/s/S2', cookie))).toBe(
      'Su enlace abre el panel de otra escuela, no de esta.',
    );
  });
});

describe('requests from other sites', () => {
  it('signs out only with the page’s CSRF token, from the dashboard’s own origin', async () => {
    const { ctx, origin, open, get } = await start();
    const { cookie } = await open('lead-1');
    const session = verifyToken(SECRET, decodeURIComponent(cookie.split('=')[1]!), 'session', ctx.clock());
    if (!session.ok) throw new Error('no session');
    const csrf = csrfToken(SECRET, session.claims);
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${origin}/dashboard/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    const noToken = await post('', { origin });
    expect(noToken.status).toBe(403);
    expect(await reasonOf(noToken)).toMatch(/came from another site/);
    expect((await post(`csrf=${'x'.repeat(csrf.length)}`, { origin })).status).toBe(403);
    const crossSite = await post(`csrf=${csrf}`, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await post(`csrf=${csrf}`, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(`/dashboard/s/S1?week=${WEEK}`, cookie)).status).toBe(200);

    const ok = await post(`csrf=${csrf}`, { origin });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/^dashboard_session=; Path=\/dashboard; Max-Age=0/);
    // The page's own form carries the same token.
    const html = await (await get(`/dashboard/s/S1?week=${WEEK}`, cookie)).text();
    expect(html).toContain(`name="csrf" value="${csrf}"`);
  });
});

describe('views of students’ records', () => {
  it('audits each student shown in a caseload, with the link’s staff member as the actor', async () => {
    const { ctx, open, get } = await start();
    const { cookie } = await open('lead-1');
    const audit = new AuditRepository(ctx.db);
    expect(await audit.listByEntity('student')).toEqual([]);
    const res = await get(`/dashboard/s/S1/navigator/nav-1?week=${WEEK}`, cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Maya L.');
    expect(html).not.toContain('Lopez');
    const entries = await audit.listByEntity('student');
    expect(entries.map((e) => e.entityId).sort()).toEqual(['st-1', 'st-2', 'st-3', 'st-4']);
    for (const e of entries) {
      expect(e.actor).toBe('staff:lead-1');
      expect(e.action).toBe('view');
      expect(e.at).toBe(NOW);
      expect(e.after).toEqual({ via: 'dashboard', view: 'caseload' });
    }
    // The overview shows counts only: nothing more is audited.
    await get(`/dashboard/s/S1?week=${WEEK}`, cookie);
    expect(await audit.listByEntity('student')).toHaveLength(4);
    await get('/dashboard/s/S1/referrals', cookie);
    expect((await audit.listFor('student', 'st-3')).map((e) => (e.after as { view: string }).view)).toEqual([
      'caseload',
      'referrals',
    ]);
  });
});

describe('CSV export', () => {
  it('exports the filtered needs list, student names cut to what the school’s lead may see', async () => {
    const { ctx, open, get } = await start();
    const { cookie } = await open('lead-1');
    const res = await get('/dashboard/s/S1/needs.csv?area=food_security', cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="needs-2026-W48.csv"/);
    const csv = await res.text();
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.need_id, r.student, r.student_id, r.area, r.severity, r.navigator])).toEqual([
      ['n-1', 'Maya L.', 'st-1', 'food_security', 'high', 'Ana Navarro'],
      ['n-3', 'Nia O.', 'st-5', 'food_security', 'medium', 'Ben Brooks'],
    ]);
    expect(csv).not.toContain('private words');
    expect(csv).not.toContain('Lopez');
    expect((await new AuditRepository(ctx.db).listByEntity('student')).map((e) => e.after)).toEqual([
      { via: 'dashboard', view: 'needs.csv' },
      { via: 'dashboard', view: 'needs.csv' },
    ]);

    const referrals = parse(await (await get('/dashboard/s/S1/referrals.csv', cookie)).text(), {
      columns: true,
    }) as Record<string, string>[];
    expect(referrals.map((r) => [r.referral_id, r.need_id, r.student, r.status, r.service])).toEqual([
      ['r-1', 'n-4', 'Iris C.', 'referred', 'Housing Help Desk'],
    ]);
    const none = await (await get('/dashboard/s/S1/referrals.csv?status=connected', cookie)).text();
    expect(none.trim().split('\n')).toHaveLength(1);
    const caseload = parse(
      await (await get(`/dashboard/s/S1/navigator/nav-1/caseload.csv?week=${WEEK}`, cookie)).text(),
      { columns: true },
    ) as Record<string, string>[];
    expect(caseload.map((r) => [r.student_id, r.checkin_status, r.open_needs])).toEqual([
      ['st-3', 'missed', '1'],
      ['st-1', 'completed', '1'],
      ['st-2', 'completed', '1'],
      ['st-4', 'pending', '0'],
    ]);
    const navigators = parse(
      await (await get(`/dashboard/s/S1/navigators.csv?week=${WEEK}`, cookie)).text(),
      {
        columns: true,
      },
    ) as Record<string, string>[];
    expect(navigators.map((r) => [r.navigator, r.met, r.missed, r.open, r.late])).toEqual([
      ['Ana Navarro', '2', '1', '1', 'yes'],
      ['Ben Brooks', '2', '0', '0', 'no'],
    ]);
  });

  it('refuses a filter value it does not know', async () => {
    const { open, get } = await start();
    const { cookie } = await open('lead-1');
    const res = await get('/dashboard/s/S1/needs?area=%3Cscript%3E', cookie);
    expect(res.status).toBe(400);
    expect(await reasonOf(res)).toBe('One of the filters has a value the dashboard does not know.');
  });
});
