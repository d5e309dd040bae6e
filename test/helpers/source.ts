import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// Reading the project's own source, for the tests that keep its layers honest.

export const ROOT = resolve(import.meta.dirname, '../..');

/** Module specifiers a source file imports or re-exports, static and dynamic. */
export function importsOf(source: string): string[] {
  const statics = [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)];
  const bare = [...source.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)];
  const dynamic = [...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return [...statics, ...bare, ...dynamic].map((m) => m[1]!);
}

/** The source without comments, so a rule is not tripped by a comment that explains it. */
export function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every .ts file under a folder of the project, as paths relative to the project root. */
export function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) out.push(relative(ROOT, path));
    }
  };
  walk(join(ROOT, folder));
  return out.sort();
}

export function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/** Where a relative import points, relative to the project root ('src/store/db.ts'); packages as written. */
export function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts');
}
