import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts the real service as `npm start` does, on a free port, and resolves with its port and log lines. */
function startService(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DATABASE_URL: `file:${join(dir, 'svc.db')}`,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  const port = new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        lines.push(line);
        const m = /"port":(\d+)/.exec(line);
        if (m && line.includes('local mode')) resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`service exited with ${code}: ${lines.join('\n')}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port, lines, exited };
}

describe('service start-up', () => {
  it('starts in local mode on a free port, answers /healthz, seeds the demo once, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'startup-'));
    dirs.push(dir);
    const first = startService(dir);
    const port = await first.port;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      database: { ok: true, schemaVersion: expect.any(Number) },
      channels: ['local'],
      localMode: true,
      translationFallbacks: { unknownLocale: 0, missingKey: 0 },
    });
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(await page.text()).toContain('local simulator');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expect(first.lines.find((l) => l.includes('demo roster ready'))).toMatch(/"created":[1-9]/);

    // A second start on the same database seeds nothing new.
    const second = startService(dir);
    await second.port;
    expect(second.lines.find((l) => l.includes('demo roster ready'))).toMatch(/"created":0/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
