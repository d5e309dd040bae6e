import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { RosterSource } from '../../src/roster/import.js';
import { openTestDatabase } from '../../src/store/db.js';

export const T0 = Date.parse('2026-09-01T14:00:00Z');

/** A fresh migrated in-memory database with a fixed clock; `env` overrides configuration. */
export function testContext(
  env: Record<string, string> = {},
): AppContext & { clock: ReturnType<typeof fixedClock> } {
  return {
    config: loadConfig(env),
    db: openTestDatabase(),
    logger: createLogger({ level: 'silent' }),
    clock: fixedClock(T0),
    ids: sequentialIds(),
  };
}

/** A fixture from test/fixtures/roster as an import source. */
export function fixture(name: string): RosterSource {
  return { name, text: readFileSync(join(import.meta.dirname, '../fixtures/roster', name), 'utf8') };
}
