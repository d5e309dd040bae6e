import pino from 'pino';
import { loadConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { systemClock, uuid } from '../lib/clock.js';
import { createLogger } from '../lib/logger.js';
import { openDatabase } from '../store/db.js';

/** Opens the configured database for a CLI command. Logs go to stderr so stdout stays clean for output. */
export function cliContext(env: Record<string, string | undefined> = process.env): AppContext {
  const config = loadConfig(env);
  // Commands print their own output; only warnings and errors are logged, unless LOG_LEVEL asks for more.
  const logger = createLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    destination: pino.destination({ fd: 2, sync: true }),
  });
  const db = openDatabase(config.databasePath);
  return { config, db, logger, clock: systemClock, ids: uuid };
}
