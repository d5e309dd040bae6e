// Compiles src/ to dist/ (tsconfig.build.json) and copies the files the code reads beside itself (src/web).
// `npm start` runs it first: when nothing under src/ changed since the last build it returns at once, so a
// restart costs no compile; `npm run build` (--force) always compiles.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const STAMP = 'dist/.built';
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** The newest modification time under `path` (a file or a directory). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let latest = s.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const force = process.argv.includes('--force');
const fresh =
  !force &&
  existsSync(STAMP) &&
  existsSync('dist/main.js') &&
  statSync(STAMP).mtimeMs >= Math.max(...INPUTS.map(newest));
if (!fresh) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    console.error(
      'The service is not built and TypeScript is not installed: run `npm ci` (with dev dependencies), then start again.',
    );
    process.exit(1);
  }
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  cpSync('src/web', 'dist/web', { recursive: true, filter: (f) => !f.endsWith('.ts') });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}
