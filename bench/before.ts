// An earlier version of the service, built beside this one, so the inbound benchmark can load both in the
// same run: `BENCH_BEFORE_REF=<commit> npm run bench`. Returns the directory holding its dist/.
import { execFileSync, execSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function buildBefore(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-before-'));
  execSync(`git archive ${ref} src drizzle locales config tsconfig.json package.json | tar -x -C ${dir}`, {
    stdio: 'inherit',
  });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(
      process.execPath,
      [
        tsc,
        '-p',
        'tsconfig.json',
        '--noEmit',
        'false',
        '--rootDir',
        'src',
        '--outDir',
        'dist',
        '--skipLibCheck',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
  } catch {
    // Type errors still emit JavaScript; a missing dist/main.js is caught below.
  }
  if (!existsSync(join(dir, 'dist/main.js'))) throw new Error(`could not build ${ref}`);
  cpSync(join(dir, 'src/web'), join(dir, 'dist/web'), { recursive: true });
  return dir;
}
