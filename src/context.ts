import type { Config } from './config.js';
import type { Clock, IdGenerator } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import type { Db } from './store/db.js';

/** What every service, job and adapter is given: validated config, the database, a logger, the clock and ids. */
export interface AppContext {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
}
