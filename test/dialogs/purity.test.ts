import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The engine must stay pure (DESIGN.md §3.1): no database, SDK, i18next, file system or clock. This follows
// every relative import from src/dialogs, so a helper that pulls in drizzle-orm is caught as well.

const root = resolve(import.meta.dirname, '../..');
const dialogs = join(root, 'src/dialogs');

const FORBIDDEN_IMPORT =
  /^(drizzle-orm|better-sqlite3|i18next|node:fs|fs|node:child_process|@slack\/|@microsoft\/|twilio|express|pino|node-cron|dotenv|luxon)(\/|$)/;
const FORBIDDEN_CALL = /\bDate\.now\s*\(|\bnew\s+Date\s*\(|\bprocess\.env\b|\bMath\.random\s*\(/;

function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every source file reachable from src/dialogs through relative imports, with what it imports. */
function reachable(): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = readdirSync(dialogs)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dialogs, f));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    const imports = importsOf(readFileSync(file, 'utf8'));
    seen.set(file, imports);
    for (const spec of imports)
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
  }
  return seen;
}

describe('engine purity', () => {
  const files = reachable();

  it('reaches only files that import no database, SDK, i18next or file system', () => {
    const bad: string[] = [];
    for (const [file, imports] of files) {
      const rel = file.slice(root.length + 1);
      for (const spec of imports) {
        const target = spec.startsWith('.') ? resolve(dirname(file), spec).slice(root.length + 1) : spec;
        if (FORBIDDEN_IMPORT.test(spec) || target.startsWith('src/store/'))
          bad.push(`${rel} imports ${spec}`);
      }
    }
    expect(files.size).toBeGreaterThan(5);
    expect(bad).toEqual([]);
  });

  it('reads no clock, environment or randomness', () => {
    const bad = [...files.keys()]
      .filter((f) => FORBIDDEN_CALL.test(withoutComments(readFileSync(f, 'utf8'))))
      .map((f) => f.slice(root.length + 1));
    expect(bad).toEqual([]);
  });

  it('would notice a forbidden import or clock read', () => {
    expect(importsOf("import { sql } from 'drizzle-orm';\n").some((s) => FORBIDDEN_IMPORT.test(s))).toBe(
      true,
    );
    expect(importsOf("import type { X } from '../store/schema/checkins.js';")).toEqual([
      '../store/schema/checkins.js',
    ]);
    expect(FORBIDDEN_CALL.test(withoutComments('const t = Date.now();'))).toBe(true);
    expect(FORBIDDEN_CALL.test(withoutComments('// no Date.now() here'))).toBe(false);
  });
});
