import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Config } from '../../config.js';
import {
  csrfToken,
  type DashboardClaims,
  signToken,
  type Verified,
  verifyToken,
} from '../../services/dashboard-links.js';

// The dashboard's session cookie and its protection against requests from other sites. The link's token is
// swapped for this cookie at once, so the token in the URL is not carried from page to page (history, logs,
// Referer).

export const SESSION_COOKIE = 'dashboard_session';
export const COOKIE_PATH = '/dashboard';

function cookies(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
  }
  return out;
}

/** The session cookie, verified; undefined when there is none. */
export function readSession(req: Request, config: Config, now: number): Verified | undefined {
  const token = cookies(req).get(SESSION_COOKIE);
  return token ? verifyToken(config.dashboard.secret, token, 'session', now) : undefined;
}

const secure = (config: Config) => config.publicBaseUrl?.startsWith('https:') ?? false;

/**
 * The Set-Cookie value of a session. HttpOnly: no script reads it; SameSite=Strict: a link or form on another
 * site does not carry it; Max-Age: it ends with the link it came from.
 */
export function sessionCookie(config: Config, session: DashboardClaims, now: number): string {
  const maxAge = Math.max(0, Math.floor((session.exp - now) / 1000));
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(signToken(config.dashboard.secret, session))}`,
    `Path=${COOKIE_PATH}`,
    `Max-Age=${maxAge}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure(config) ? ['Secure'] : []),
  ].join('; ');
}

export function clearedCookie(config: Config): string {
  return [
    `${SESSION_COOKIE}=`,
    `Path=${COOKIE_PATH}`,
    'Max-Age=0',
    'HttpOnly',
    'SameSite=Strict',
    ...(secure(config) ? ['Secure'] : []),
  ].join('; ');
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Whether a state-changing request comes from the dashboard's own page: the browser says it is not cross-site
 * (Origin naming this host, Sec-Fetch-Site), and the form carries the session's CSRF token.
 */
export function sameSiteRequest(
  req: Request,
  config: Config,
  session: DashboardClaims,
  formToken: unknown,
): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, req.headers.host)) return false;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const expected = csrfToken(config.dashboard.secret, session);
  return (
    typeof formToken === 'string' &&
    formToken.length === expected.length &&
    timingSafeEqual(Buffer.from(formToken), Buffer.from(expected))
  );
}
