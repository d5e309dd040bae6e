import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  csrfToken,
  holderOf,
  mintDashboardLink,
  newClaims,
  scopeAllows,
  sessionFromLink,
  signToken,
  verifyToken,
} from '../../src/services/dashboard-links.js';
import { NOW, seedDistrict } from '../dashboard/seed.js';
import { testContext } from '../helpers/context.js';

const SECRET = 'links-test-secret-of-at-least-32-characters';
const HOUR = 3_600_000;

async function setup(env: Record<string, string> = { DASHBOARD_SECRET: SECRET }) {
  const ctx = await testContext({ now: NOW, env });
  await seedDistrict(ctx);
  return ctx;
}

describe('signed dashboard links', () => {
  it('mints a link for a lead navigator: their school, 24 hours, who it is for', async () => {
    const ctx = await setup();
    const minted = await mintDashboardLink(ctx, 'lead-1');
    if (!minted.ok) throw new Error(minted.problem);
    expect(minted.link.url).toBe(
      `http://localhost:3000/dashboard?t=${encodeURIComponent(minted.link.token)}`,
    );
    expect(minted.link.scope).toEqual({ schoolId: 'S1' });
    expect(minted.link.expiresAt).toBe(NOW + 24 * HOUR);
    const verified = verifyToken(SECRET, minted.link.token, 'link', NOW + 24 * HOUR - 1);
    expect(verified).toMatchObject({
      ok: true,
      claims: { sub: 'lead-1', scope: 's:S1', iat: NOW, use: 'link' },
    });
    // Two links minted at the same moment differ.
    const again = await mintDashboardLink(ctx, 'lead-1');
    expect(again.ok && again.link.token).not.toBe(minted.link.token);
  });

  it('builds links on the public URL and honours DASHBOARD_LINK_HOURS', async () => {
    const ctx = await setup({
      DASHBOARD_SECRET: SECRET,
      PUBLIC_BASE_URL: 'https://checkins.district.example/',
      DASHBOARD_LINK_HOURS: '2',
    });
    const minted = await mintDashboardLink(ctx, 'lead-1');
    if (!minted.ok) throw new Error(minted.problem);
    expect(minted.link.url.startsWith('https://checkins.district.example/dashboard?t=')).toBe(true);
    expect(minted.link.expiresAt).toBe(NOW + 2 * HOUR);
  });

  it('refuses an expired, tampered, re-signed or misused token', async () => {
    const ctx = await setup();
    const minted = await mintDashboardLink(ctx, 'lead-1');
    if (!minted.ok) throw new Error(minted.problem);
    const { token } = minted.link;
    expect(verifyToken(SECRET, token, 'link', NOW + 24 * HOUR)).toEqual({ ok: false, problem: 'expired' });
    const [body, sig] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'district' })).toString('base64url');
    expect(verifyToken(SECRET, `${widened}.${sig}`, 'link', NOW)).toEqual({
      ok: false,
      problem: 'bad_signature',
    });
    const longer = Buffer.from(JSON.stringify({ ...claims, exp: NOW + 999 * HOUR })).toString('base64url');
    expect(verifyToken(SECRET, `${longer}.${sig}`, 'link', NOW)).toEqual({
      ok: false,
      problem: 'bad_signature',
    });
    expect(verifyToken('another-secret-of-at-least-32-characters', token, 'link', NOW)).toEqual({
      ok: false,
      problem: 'bad_signature',
    });
    expect(verifyToken(SECRET, token, 'session', NOW)).toEqual({ ok: false, problem: 'wrong_use' });
    for (const broken of ['', 'abc', 'a.b.c', `${body}.`, `.${sig}`])
      expect(verifyToken(SECRET, broken, 'link', NOW)).toMatchObject({ ok: false });
  });

  it('scopes a school link to that school, and a district link to every school', async () => {
    const ctx = await setup();
    expect(scopeAllows({ schoolId: 'S1' }, 'S1')).toBe(true);
    expect(scopeAllows({ schoolId: 'S1' }, 'S2')).toBe(false);
    expect(scopeAllows({ schoolId: 'S1' }, undefined)).toBe(false);
    expect(scopeAllows({ district: true }, 'S2')).toBe(true);
    expect(scopeAllows({ district: true }, undefined)).toBe(true);

    const district = await mintDashboardLink(ctx, 'admin-1');
    expect(district.ok && district.link.scope).toEqual({ district: true });
    const narrowed = await mintDashboardLink(ctx, 'admin-1', { scope: { schoolId: 'S2' } });
    expect(narrowed.ok && narrowed.link.scope).toEqual({ schoolId: 'S2' });
    expect(await mintDashboardLink(ctx, 'lead-1', { scope: { district: true } })).toEqual({
      ok: false,
      problem: 'dashboard:not_allowed',
    });
    expect(await mintDashboardLink(ctx, 'lead-1', { scope: { schoolId: 'S2' } })).toEqual({
      ok: false,
      problem: 'dashboard:not_allowed',
    });
    expect(await mintDashboardLink(ctx, 'nav-1')).toEqual({ ok: false, problem: 'dashboard:not_allowed' });
    expect(await mintDashboardLink(ctx, 'nobody')).toEqual({ ok: false, problem: 'dashboard:unknown_staff' });
    // A correctly signed token naming a wider scope than its holder has today is refused at use.
    const stray = newClaims('link', 'lead-1', { district: true }, NOW, HOUR);
    expect(await holderOf(ctx, stray)).toEqual({ ok: false, problem: 'dashboard:wrong_scope' });
    expect(await holderOf(ctx, newClaims('link', 'lead-9', { schoolId: 'S2' }, NOW, HOUR))).toMatchObject({
      ok: true,
      scope: { schoolId: 'S2' },
      name: 'Dee Diaz',
    });
  });

  it('makes a session that ends with its link, with a CSRF token of its own', () => {
    const link = newClaims('link', 'lead-1', { schoolId: 'S1' }, NOW, HOUR);
    const session = sessionFromLink(link);
    expect(session).toMatchObject({ use: 'session', sub: 'lead-1', scope: 's:S1', exp: NOW + HOUR });
    expect(verifyToken(SECRET, signToken(SECRET, session), 'session', NOW)).toMatchObject({ ok: true });
    expect(csrfToken(SECRET, session)).not.toBe(csrfToken(SECRET, sessionFromLink(link)));
    expect(csrfToken(SECRET, session)).toBe(csrfToken(SECRET, { ...session }));
  });
});

describe('DASHBOARD_SECRET', () => {
  it('is required in production, with a sentence saying how to make one', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (err) {
      expect((err as ConfigError).problems).toContain(
        'DASHBOARD_SECRET: required in production to sign dashboard links; set a random value of at least 32 characters (e.g. openssl rand -base64 48)',
      );
    }
    expect(loadConfig({ NODE_ENV: 'production', DASHBOARD_SECRET: SECRET }).dashboard).toEqual({
      secret: SECRET,
      secretGenerated: false,
      linkTtlMs: 24 * HOUR,
    });
    expect(() => loadConfig({ DASHBOARD_SECRET: 'short' })).toThrow(/DASHBOARD_SECRET: must be at least 32/);
  });

  it('is made afresh at each start elsewhere (local mode), so links from an earlier run stop working', () => {
    const first = loadConfig({});
    const second = loadConfig({});
    expect(first.dashboard.secretGenerated).toBe(true);
    expect(first.dashboard.secret.length).toBeGreaterThanOrEqual(32);
    expect(first.dashboard.secret).not.toBe(second.dashboard.secret);
    const token = signToken(
      first.dashboard.secret,
      newClaims('link', 'lead-1', { schoolId: 'S1' }, NOW, HOUR),
    );
    expect(verifyToken(second.dashboard.secret, token, 'link', NOW)).toEqual({
      ok: false,
      problem: 'bad_signature',
    });
  });
});
