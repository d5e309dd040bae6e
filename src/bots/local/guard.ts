import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Header the simulator page sends its token in. */
export const SIM_TOKEN_HEADER = 'x-sim-token';

/** The names this machine answers to: anything else in Host is a DNS-rebinding attempt. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(:\d+)?$/.exec(host.trim().toLowerCase());
  return m?.[1];
}

function isLocalOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/**
 * The simulator's guard. It shows roster data and can release held texts without sign-in, so in local mode it
 * only answers a browser on this machine: the Host must be a localhost name (a rebound DNS name is refused),
 * a request from another site is refused by its Origin or Sec-Fetch-Site, and every API call must carry the
 * token written into the page, which another site cannot read.
 */
export function simulatorGuard(token = randomBytes(24).toString('base64url')) {
  const expected = Buffer.from(token);
  const refuse = (res: Response, error: string) => res.status(403).json({ error });
  return {
    token,
    /** For the page itself: a localhost Host only. */
    page(req: Request, res: Response, next: NextFunction) {
      if (!LOCAL_HOSTS.has(hostnameOf(req.headers.host) ?? '')) return refuse(res, 'host_not_allowed');
      next();
    },
    /** For the API: localhost Host, same-origin, and the page's token. */
    api(req: Request, res: Response, next: NextFunction) {
      if (!LOCAL_HOSTS.has(hostnameOf(req.headers.host) ?? '')) return refuse(res, 'host_not_allowed');
      const origin = req.headers.origin;
      if (origin !== undefined && !isLocalOrigin(origin)) return refuse(res, 'cross_site_request');
      if (req.headers['sec-fetch-site'] === 'cross-site') return refuse(res, 'cross_site_request');
      const given = Buffer.from(String(req.headers[SIM_TOKEN_HEADER] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return refuse(res, 'missing_or_wrong_token');
      next();
    },
  };
}
