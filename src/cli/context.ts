import { loadConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { systemClock, uuid } from '../lib/clock.js';
import { createLogger } from '../lib/logger.js';
import { openDatabase } from '../store/db.js';

/** Opens the configured database for a CLI command. Logs go to stderr so stdout stays clean for output. */
export function cliContext(env: Record<string, string | undefined> = process.env): AppContext {
  const config = loadConfig(env);
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'warn' });
  const db = openDatabase(config.databasePath);
  return { config, db, logger, clock: systemClock, ids: uuid };
}
