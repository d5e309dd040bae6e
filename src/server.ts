import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { enabledChannels } from './config.js';
import type { AppContext } from './context.js';

/** A piece of the HTTP surface (a channel adapter, the simulator) that adds its routes to the one server. */
export type RouteModule = (app: Express, ctx: AppContext) => void;

/** Builds the HTTP app: /healthz plus the routes each enabled module adds. */
export function createHttpApp(
  ctx: AppContext,
  modules: RouteModule[] = [],
  options: { health?: () => Record<string, unknown> } = {},
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/healthz', async (_req, res) => {
    const ok = await ctx.db.answers();
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'degraded',
      database: { ok, schemaVersion: ok ? await ctx.db.schemaVersion() : null },
      channels: enabledChannels(ctx.config),
      localMode: ctx.config.localMode,
      ...options.health?.(),
    });
  });

  for (const mod of modules) mod(app, ctx);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  return app;
}

/** Starts listening; resolves with the server once it accepts connections. */
export function listen(app: Express, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) reject(err);
      else resolvePromise(server);
    });
    server.on('error', reject);
  });
}

/** Stops accepting connections and waits for in-flight requests, closing idle keep-alive sockets. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeIdleConnections();
  });
}
