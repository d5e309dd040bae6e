import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { openTestStore } from './engines.js';

/**
 * A context for one test: a fresh migrated database (in memory on SQLite, or a fresh PostgreSQL database under
 * TEST_ENGINE=postgres), a movable clock, sequential ids, no logs.
 */
export async function testContext(options: {
  now: number;
  env?: Record<string, string>;
  idPrefix?: string;
}): Promise<AppContext & { clock: ReturnType<typeof fixedClock> }> {
  return {
    config: loadConfig({ DATABASE_URL: ':memory:', ...options.env }),
    db: await openTestStore(),
    logger: createLogger({ level: 'silent' }),
    clock: fixedClock(options.now),
    ids: sequentialIds(options.idPrefix ?? 't'),
  };
}
