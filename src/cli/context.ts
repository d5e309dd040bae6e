import pino from 'pino';
import { loadConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { systemClock, uuid } from '../lib/clock.js';
import { createLogger } from '../lib/logger.js';
import { connectDatabase } from '../store/db.js';
import { CommandError } from './format.js';

/**
 * Opens the configured database for a CLI command, from the environment the entry point read. Logs go to
 * stderr so stdout stays clean for output.
 */
export async function cliContext(env: Record<string, string | undefined>): Promise<AppContext> {
  const config = loadConfig(env);
  // Commands print their own output; only warnings and errors are logged, unless LOG_LEVEL asks for more.
  const logger = createLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    destination: pino.destination({ fd: 2, sync: true }),
  });
  const db = await connectDatabase(config);
  return { config, db, logger, clock: systemClock, ids: uuid };
}

/** Builds the context of one command (opening the database is asynchronous on PostgreSQL). */
export type ContextFactory = () => AppContext | Promise<AppContext>;

/**
 * Runs one command on a fresh context: prints what it returns, turns a CommandError into a message on stderr
 * and exit status 1, and always closes the database.
 */
export async function runCommand(
  makeContext: ContextFactory,
  fn: (ctx: AppContext) => string | Promise<string>,
): Promise<void> {
  const ctx = await makeContext();
  try {
    console.log(await fn(ctx));
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
  } finally {
    await ctx.db.close();
  }
}
