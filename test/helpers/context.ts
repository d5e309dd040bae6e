import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { openTestDatabase } from '../../src/store/db.js';

/** A context for one test: a fresh migrated in-memory database, a movable clock, sequential ids, no logs. */
export function testContext(options: {
  now: number;
  env?: Record<string, string>;
  idPrefix?: string;
}): AppContext & { clock: ReturnType<typeof fixedClock> } {
  return {
    config: loadConfig({ DATABASE_URL: ':memory:', ...options.env }),
    db: openTestDatabase(),
    logger: createLogger({ level: 'silent' }),
    clock: fixedClock(options.now),
    ids: sequentialIds(options.idPrefix ?? 't'),
  };
}
