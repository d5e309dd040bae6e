import 'dotenv/config';
import { buildService } from './app.js';
import { ConfigError, enabledChannels, loadConfig } from './config.js';
import type { AppContext } from './context.js';
import { systemClock, uuid } from './lib/clock.js';
import { createLogger } from './lib/logger.js';
import { closeServer, createHttpApp, listen } from './server.js';
import { openDatabase } from './store/db.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      console.error('See .env.example for every setting and what it means.');
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  const db = openDatabase(config.databasePath);
  const ctx: AppContext = { config, db, logger, clock: systemClock, ids: uuid };

  const service = await buildService(ctx);
  const app = createHttpApp(ctx, service.routes, { health: service.health });
  // The simulator shows roster data without sign-in: in local mode, listen on this machine only.
  const server = await listen(app, config.port, config.localMode ? '127.0.0.1' : '0.0.0.0');
  await service.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    {
      port,
      channels: enabledChannels(config),
      schemaVersion: await db.schemaVersion(),
      database: config.databasePath,
    },
    config.localMode
      ? `local mode (no Slack, Teams or Twilio credentials): open http://localhost:${port}/`
      : `service listening on port ${port}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight work');
    await closeServer(server);
    await service.stop();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
