import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RosterSource } from '../../src/roster/import.js';
import { testContext as sharedTestContext } from '../helpers/context.js';

export const T0 = Date.parse('2026-09-01T14:00:00Z');

/** A fresh migrated in-memory database with a fixed clock at T0; `env` overrides configuration. */
export function testContext(env: Record<string, string> = {}) {
  return sharedTestContext({ now: T0, env, idPrefix: 'id' });
}

/** A fixture from test/fixtures/roster as an import source. */
export function fixture(name: string): RosterSource {
  return { name, text: readFileSync(join(import.meta.dirname, '../fixtures/roster', name), 'utf8') };
}
