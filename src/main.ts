import 'dotenv/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildService, ChannelLoadError, type Service } from './app.js';
import { ConfigError, enabledChannels, loadConfig } from './config.js';
import type { AppContext } from './context.js';
import { systemClock, uuid } from './lib/clock.js';
import { createLogger, errorName } from './lib/logger.js';
import { closeServer, createHttpApp, listen, portProblem } from './server.js';
import { connectDatabase, type Db } from './store/db.js';
import { DatabaseUnavailable, describeUrl } from './store/unavailable.js';

/** A start-up mistake: one line on stderr that names the setting and the fix, then exit code 1. */
class StartupFailure extends Error {}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError)
      throw new StartupFailure(`${err.message}\nSee .env.example for every setting and what it means.`);
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  let db: Db;
  try {
    db = await connectDatabase(config);
  } catch (err) {
    if (err instanceof DatabaseUnavailable) throw new StartupFailure(err.message);
    throw err;
  }
  const ctx: AppContext = { config, db, logger, clock: systemClock, ids: uuid };

  // The port is taken before anything is built or seeded: a busy port must fail with nothing written.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const host = config.localMode ? '127.0.0.1' : '0.0.0.0';
  // The simulator shows roster data without sign-in: in local mode, listen on this machine only.
  const server = await listen(
    (req, res) => {
      if (handler) handler(req, res);
      else res.writeHead(503, { 'retry-after': '1' }).end();
    },
    config.port,
    host,
  ).catch(async (err: unknown) => {
    const problem = portProblem(err, config.port);
    if (!problem) throw err;
    await db.close();
    throw new StartupFailure(problem);
  });

  let service: Service;
  try {
    service = await buildService(ctx);
  } catch (err) {
    if (!(err instanceof ChannelLoadError)) throw err;
    await closeServer(server);
    await db.close();
    throw new StartupFailure(err.message);
  }
  // Signals are handled from here on, before /healthz answers and before the ready line: a SIGTERM that came
  // before its handler was installed would end the process at once, with nothing finished or closed.
  let starting: Promise<void> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight work');
    await closeServer(server);
    await starting?.catch(() => undefined);
    await service.stop();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  handler = createHttpApp(ctx, service.routes, {
    health: service.health,
    delivery: () => service.relay.health(),
  });
  starting = service.start();
  await starting;
  if (stopping) return;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    {
      port,
      channels: enabledChannels(config),
      schemaVersion: await db.schemaVersion(),
      database: config.postgresUrl ? `postgres ${describeUrl(config.postgresUrl)}` : config.databasePath,
    },
    config.localMode
      ? `local mode (no Slack, Teams or Twilio credentials): open http://localhost:${port}/`
      : `service listening on port ${port}`,
  );
}

main().catch((err) => {
  if (err instanceof StartupFailure) console.error(err.message);
  // Only the error's name: a message may quote a setting's value (a URL with its password).
  else
    console.error(
      `start-up failed: ${errorName(err)}`,
      err instanceof Error ? err.stack?.split('\n').slice(1, 4).join('\n') : '',
    );
  process.exit(1);
});
