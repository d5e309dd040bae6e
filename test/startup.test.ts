import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/db.js';
import { RosterRepository } from '../src/store/repositories/roster.js';
import { createPostgresTestDatabase, SKIP_MESSAGE, TEST_DATABASE_URL } from './helpers/postgres.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts the real service as `npm start` does, on a free port, and resolves with its port and log lines. */
function startService(dir: string, databaseUrl = `file:${join(dir, 'svc.db')}`) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DATABASE_URL: databaseUrl,
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
  // The exit code, or the signal that ended the process (a crash shows as SIGSEGV or SIGABRT, not as null).
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  return { child, port, lines, exited, stderr };
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
      delivery: { ok: true, failingChannels: [], urgentWaiting: 0 },
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
    expect(await second.exited, second.stderr.join('') + second.lines.slice(-3).join('\n')).toBe(0);
  });
});

describe.skipIf(!TEST_DATABASE_URL)(
  `service start-up on PostgreSQL${TEST_DATABASE_URL ? '' : ` — ${SKIP_MESSAGE}`}`,
  () => {
    it('migrates an empty database, seeds the demo once, answers /healthz, and a second instance starts beside it', async () => {
      const database = await createPostgresTestDatabase();
      try {
        const first = startService(tmpdir(), database.url);
        const port = await first.port;
        const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
          status: string;
          database: { ok: boolean; schemaVersion: number };
        };
        expect(health.status).toBe('ok');
        expect(health.database).toEqual({ ok: true, schemaVersion: expect.any(Number) });
        expect(health.database.schemaVersion).toBeGreaterThan(1);
        expect(first.lines.find((l) => l.includes('demo roster ready'))).toMatch(/"created":[1-9]/);
        // The password never reaches the log.
        const { username, password } = new URL(database.url);
        expect(first.lines.join('\n')).not.toContain(`${username}:${password}@`);
        expect(first.lines.join('\n')).toContain(`"database":"postgres 127.0.0.1:5432/`);

        const second = startService(tmpdir(), database.url);
        await second.port;
        expect(second.lines.find((l) => l.includes('demo roster ready'))).toMatch(/"created":0/);
        for (const s of [first, second]) s.child.kill('SIGTERM');
        expect(await first.exited).toBe(0);
        expect(await second.exited).toBe(0);
      } finally {
        await database.drop();
      }
    });
  },
);

/** Runs the service with `env` until it exits; a start-up mistake must end it quickly. */
function runToExit(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr: stderr.trim() })),
  );
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'startup-fail-'));
  dirs.push(dir);
  return dir;
}

describe('start-up mistakes: one clear line naming the setting, exit code 1, nothing written', () => {
  it.each([
    [
      'a MySQL URL',
      () => 'mysql://admin:s3cret-pw@db.example/x',
      /DATABASE_URL: mysql: URLs are not supported/,
    ],
    [
      'a PostgreSQL server that does not answer',
      () => 'postgres://admin:s3cret-pw@127.0.0.1:1/x',
      /DATABASE_URL: nothing answers at 127\.0\.0\.1:1\/x; start PostgreSQL or correct the host and port/,
    ],
    ['an empty file: path', () => 'file:', /DATABASE_URL: file: needs a path/],
    [
      'a directory that does not exist',
      () => `file:${join(tempDir(), 'no', 'such', 'x.db')}`,
      /DATABASE_URL: the directory of .* does not exist/,
    ],
    [
      'a file that is not a database',
      () => {
        const file = join(tempDir(), 'notes.db');
        writeFileSync(file, 'these are not the pages of a SQLite database '.repeat(200));
        return `file:${file}`;
      },
      /DATABASE_URL: .*notes\.db is not a SQLite database/,
    ],
  ])('%s', async (_name, url, expected) => {
    const out = await runToExit({ DATABASE_URL: url() });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(expected);
    expect(out.stderr).not.toContain('s3cret-pw');
    expect(out.stdout).not.toContain('s3cret-pw');
    expect(out.stderr).not.toMatch(/^\s+at /m);
  });

  it('a port in use: PORT named, and the demo roster is not seeded first', async () => {
    const dir = tempDir();
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const out = await runToExit({ DATABASE_URL: `file:${join(dir, 'svc.db')}`, PORT: String(port) });
      expect(out.code).toBe(1);
      expect(out.stderr).toBe(
        `PORT: port ${port} is in use by another program; stop it or set PORT to a free port`,
      );
    } finally {
      busy.close();
    }
    const db = openDatabase(join(dir, 'svc.db'));
    expect(await new RosterRepository(db).staffList()).toEqual([]);
    await db.close();
  });
});
