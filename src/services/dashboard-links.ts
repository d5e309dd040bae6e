import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { RosterRepository } from '../store/repositories/roster.js';

// Signed, expiring dashboard links. No passwords to manage: the bot hands a lead navigator a link that says who
// it is for, which school (or the district) it opens, and until when; the server's secret signs it. The same
// format, with another `use`, is the session cookie the link is exchanged for, so a leaked cookie cannot be
// pasted as a link and a link cannot be set as a cookie.

/** What a link or session may see: one school, or every school of the district. */
export type DashboardScope = { schoolId: string } | { district: true };

/** Where the token is used: in a link's URL, or as the session cookie it was exchanged for. */
export type TokenUse = 'link' | 'session';

/** The signed claims. Example: `{ v: 1, use: 'link', sub: 'lead-1', scope: 's:sch-riverside', iat, exp, n }`. */
export interface DashboardClaims {
  v: 1;
  use: TokenUse;
  /** The staff member the token is for; the actor of every audit entry made with it. */
  sub: string;
  /** 's:<school id>' or 'district'. */
  scope: string;
  iat: number;
  exp: number;
  /** Random, so two links minted in the same millisecond differ; a session's CSRF token derives from it. */
  n: string;
}

/** Why a token was refused; each has a sentence in `locales/<lng>/dashboard.json` (`refused.<reason>`). */
export type TokenProblem = 'malformed' | 'bad_signature' | 'expired' | 'wrong_use';

export type Verified = { ok: true; claims: DashboardClaims } | { ok: false; problem: TokenProblem };

/** Staff roles that may open the dashboard; navigators see their own caseload in chat. */
const DASHBOARD_ROLES = new Set(['lead_navigator', 'counselor', 'admin']);

export function scopeKey(scope: DashboardScope): string {
  return 'district' in scope ? 'district' : `s:${scope.schoolId}`;
}

export function scopeOf(key: string): DashboardScope | null {
  if (key === 'district') return { district: true };
  return key.startsWith('s:') && key.length > 2 ? { schoolId: key.slice(2) } : null;
}

/** Whether a token of `scope` may look at `schoolId` (undefined: the district as a whole). */
export function scopeAllows(scope: DashboardScope, schoolId: string | undefined): boolean {
  if ('district' in scope) return true;
  return schoolId !== undefined && schoolId === scope.schoolId;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function sign(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`dashboard.v1.${body}`).digest();
}

/** Signs claims into `<claims>.<signature>`, both base64url. */
export function signToken(secret: string, claims: DashboardClaims): string {
  const body = b64(JSON.stringify(claims));
  return `${body}.${b64(sign(secret, body))}`;
}

/**
 * Checks a token's signature (in constant time), its use and its expiry at `now`. The signature is checked
 * before the claims are read, so a tampered token says 'bad_signature' whatever it claims.
 */
export function verifyToken(secret: string, token: string, use: TokenUse, now: number): Verified {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1] || token.length > 2048)
    return { ok: false, problem: 'malformed' };
  const [body, signature] = parts as [string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, problem: 'bad_signature' };
  let claims: DashboardClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as DashboardClaims;
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (claims.v !== 1 || typeof claims.sub !== 'string' || scopeOf(String(claims.scope)) === null)
    return { ok: false, problem: 'malformed' };
  if (claims.use !== use) return { ok: false, problem: 'wrong_use' };
  if (!(typeof claims.exp === 'number' && now < claims.exp)) return { ok: false, problem: 'expired' };
  return { ok: true, claims };
}

/** New claims for `staffId` and `scope`, valid from `now` for `ttlMs`. */
export function newClaims(
  use: TokenUse,
  staffId: string,
  scope: DashboardScope,
  now: number,
  ttlMs: number,
): DashboardClaims {
  return {
    v: 1,
    use,
    sub: staffId,
    scope: scopeKey(scope),
    iat: now,
    exp: now + ttlMs,
    n: randomBytes(9).toString('base64url'),
  };
}

/**
 * The session a link opens: same person and scope, ending when the link would have (a session does not
 * outlive the link it came from).
 */
export function sessionFromLink(link: DashboardClaims): DashboardClaims {
  return { ...link, use: 'session', n: randomBytes(9).toString('base64url') };
}

/** The CSRF token of a session: derived from it, so nothing is stored and another site cannot guess it. */
export function csrfToken(secret: string, session: DashboardClaims): string {
  return createHmac('sha256', secret)
    .update(`dashboard.csrf.${session.sub}.${session.n}`)
    .digest('base64url');
}

/** Where links point: the public URL when configured, else this machine (local mode). */
export function dashboardBaseUrl(config: Config): string {
  return config.publicBaseUrl ?? `http://localhost:${config.port}`;
}

/** How many hours a link lasts, as the texts that mention it say. */
export function linkHours(config: Config): number {
  return Math.round(config.dashboard.linkTtlMs / 3_600_000);
}

export type LinkProblem = 'dashboard:unknown_staff' | 'dashboard:not_allowed';

/** A minted link. Example: `{ url: 'https://bot.example.org/dashboard?t=…', expiresAt, scope: { schoolId } }`. */
export interface DashboardLink {
  url: string;
  token: string;
  expiresAt: number;
  scope: DashboardScope;
}

/**
 * The scope a staff member's link opens: their school, or the district for an admin with no school. Only
 * active lead navigators, counselors and admins get one.
 */
export async function scopeForStaff(
  ctx: Pick<AppContext, 'db'>,
  staffId: string,
): Promise<
  { ok: true; scope: DashboardScope; name: string; locale: string } | { ok: false; problem: LinkProblem }
> {
  const member = await new RosterRepository(ctx.db).staffById(staffId);
  if (!member?.active) return { ok: false, problem: 'dashboard:unknown_staff' };
  if (!DASHBOARD_ROLES.has(member.role)) return { ok: false, problem: 'dashboard:not_allowed' };
  const who = { name: member.name, locale: member.locale };
  if (member.schoolId) return { ok: true, scope: { schoolId: member.schoolId }, ...who };
  return member.role === 'admin'
    ? { ok: true, scope: { district: true }, ...who }
    : { ok: false, problem: 'dashboard:not_allowed' };
}

/** Whether `inner` is within `outer` (the district holds every school). */
export function scopeWithin(inner: DashboardScope, outer: DashboardScope): boolean {
  return 'district' in inner ? 'district' in outer : scopeAllows(outer, inner.schoolId);
}

/**
 * The person behind a verified link or session, checked against the roster now: a staff member who left, lost
 * the role, or moved to another school than the token names is refused, even with a valid signature.
 */
export async function holderOf(
  ctx: Pick<AppContext, 'db'>,
  claims: DashboardClaims,
): Promise<
  | { ok: true; staffId: string; scope: DashboardScope; name: string; locale: string }
  | { ok: false; problem: LinkProblem | 'dashboard:wrong_scope' }
> {
  const scope = scopeOf(claims.scope);
  const allowed = await scopeForStaff(ctx, claims.sub);
  if (!allowed.ok) return allowed;
  if (!scope || !scopeWithin(scope, allowed.scope)) return { ok: false, problem: 'dashboard:wrong_scope' };
  return { ok: true, staffId: claims.sub, scope, name: allowed.name, locale: allowed.locale };
}

/**
 * Mints a fresh link for a staff member, scoped to what their role and school allow (or narrower: an admin
 * may be given one school). Example: `await mintDashboardLink(ctx, 'lead-1')`.
 */
export async function mintDashboardLink(
  ctx: AppContext,
  staffId: string,
  options: { scope?: DashboardScope } = {},
): Promise<{ ok: true; link: DashboardLink } | { ok: false; problem: LinkProblem }> {
  const allowed = await scopeForStaff(ctx, staffId);
  if (!allowed.ok) return allowed;
  const scope = options.scope ?? allowed.scope;
  if (!scopeWithin(scope, allowed.scope)) return { ok: false, problem: 'dashboard:not_allowed' };
  const { secret, linkTtlMs } = ctx.config.dashboard;
  const claims = newClaims('link', staffId, scope, ctx.clock(), linkTtlMs);
  const token = signToken(secret, claims);
  const url = `${dashboardBaseUrl(ctx.config)}/dashboard?t=${encodeURIComponent(token)}`;
  return { ok: true, link: { url, token, expiresAt: claims.exp, scope } };
}

/**
 * The dashboard URL a chat adapter puts on the digest's button: a fresh link for the recipient, or undefined
 * when they may not open the dashboard (the digest then goes without a button).
 */
export async function digestDashboardUrl(ctx: AppContext, staffId: string): Promise<string | undefined> {
  const minted = await mintDashboardLink(ctx, staffId);
  return minted.ok ? minted.link.url : undefined;
}
