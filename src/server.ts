import { createServer, type RequestListener, type Server } from 'node:http';
import express, { type Express } from 'express';
import { enabledChannels } from './config.js';
import type { AppContext } from './context.js';
import type { DeliveryHealth } from './delivery/relay.js';

/** A piece of the HTTP surface (a channel adapter, the simulator) that adds its routes to the one server. */
export type RouteModule = (app: Express, ctx: AppContext) => void;

/** What the service adds to /healthz; any `problems` (e.g. 'teams:credentials_refused') make it 'degraded'. */
export type ServiceHealth = Record<string, unknown> & { problems?: string[] };

/**
 * Builds the HTTP app: /healthz plus the routes each enabled module adds. `delivery` (the relay's health)
 * makes /healthz show a failing channel and the urgent messages waiting; it answers 200 'degraded' then,
 * since a platform outage is no reason to restart the service.
 */
export function createHttpApp(
  ctx: AppContext,
  modules: RouteModule[] = [],
  options: { health?: () => ServiceHealth; delivery?: () => DeliveryHealth } = {},
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/healthz', async (_req, res) => {
    const ok = await ctx.db.answers();
    const delivery = options.delivery?.();
    const service = options.health?.() ?? {};
    const working = (delivery?.ok ?? true) && (service.problems ?? []).length === 0;
    res.status(ok ? 200 : 503).json({
      status: ok && working ? 'ok' : 'degraded',
      database: { ok, schemaVersion: ok ? await ctx.db.schemaVersion() : null },
      channels: enabledChannels(ctx.config),
      localMode: ctx.config.localMode,
      ...(delivery ? { delivery } : {}),
      ...service,
    });
  });

  for (const mod of modules) mod(app, ctx);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  return app;
}

/** Starts listening; resolves with the server once it accepts connections. */
export function listen(app: RequestListener, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer(app);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise(server);
    });
  });
}

/** Why listening failed, as one line naming the setting and the fix; undefined when it is not a port problem. */
export function portProblem(err: unknown, port: number): string | undefined {
  const code = (err as { code?: unknown })?.code;
  if (code === 'EADDRINUSE')
    return `PORT: port ${port} is in use by another program; stop it or set PORT to a free port`;
  if (code === 'EACCES') return `PORT: this user may not listen on port ${port}; set PORT to 1024 or above`;
  return undefined;
}

/** Stops accepting connections and waits for in-flight requests, closing idle keep-alive sockets. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeIdleConnections();
  });
}
