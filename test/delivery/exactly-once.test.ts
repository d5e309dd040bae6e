import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { message } from './helpers.js';

const TSX = resolve('node_modules/.bin/tsx');
const CHILD = resolve('test/delivery/fixtures/relay-child.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** tsx runs the script in a child node and exits 128 + 9 when that child is SIGKILLed. */
function killedBySigkill(r: { status: number | null; signal: NodeJS.Signals | null }): boolean {
  return r.signal === 'SIGKILL' || r.status === 137;
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

/** Enqueues `n` messages in one committed transaction, then runs the relay child: crashing, then clean. */
function crashAndRestart(point: 'before_send' | 'after_send', n: number, crashIndex: number) {
  const dir = mkdtempSync(join(tmpdir(), 'exactly-once-'));
  dirs.push(dir);
  const dbPath = join(dir, 'outbox.db');
  const db = openDatabase(dbPath);
  // In the past, so the rows are due for the child's real clock.
  const now = Date.parse('2020-01-06T15:00:00Z');
  const ids: string[] = [];
  db.transaction((tx) => {
    for (let i = 0; i < n; i++) {
      const m = message({ createdAt: now, address: 'C1', notBefore: now + i });
      OutboxRepository.enqueue(tx, m);
      ids.push(m.id);
    }
  });
  db.$client.close();
  const paths = { REQUESTS_PATH: join(dir, 'requests.log'), ACCEPTED_PATH: join(dir, 'accepted.log') };
  const run = (extra: Record<string, string>) =>
    spawnSync(TSX, [CHILD], {
      env: { ...process.env, ...paths, DB_PATH: dbPath, LOG_LEVEL: 'silent', ...extra },
      encoding: 'utf8',
      timeout: 30_000,
    });
  const first = run({ CRASH: point, CRASH_ID: ids[crashIndex]! });
  // The restart runs a minute later, after the dead relay's 30 s lease has run out.
  const second = run({ CLOCK_OFFSET_MS: '60000' });
  const check = openDatabase(dbPath, { migrate: false });
  const rows = ids.map((id) => new OutboxRepository(check).get(id)!);
  check.$client.close();
  return { first, second, rows, requests: lines(paths.REQUESTS_PATH), accepted: lines(paths.ACCEPTED_PATH) };
}

describe('exactly-once delivery across a SIGKILL', () => {
  it('killed between commit and send: after restart each message is requested and delivered once', () => {
    const r = crashAndRestart('before_send', 5, 2);
    expect(killedBySigkill(r.first)).toBe(true);
    expect(r.second.status).toBe(0);
    expect(r.rows.every((row) => row.status === 'sent')).toBe(true);
    const keys = r.rows.map((row) => row.idempotencyKey);
    expect([...r.requests].sort()).toEqual([...keys].sort());
    expect([...r.accepted].sort()).toEqual([...keys].sort());
  }, 60_000);

  it('killed after the platform accepted but before recording: resent with the same key, delivered once', () => {
    const r = crashAndRestart('after_send', 5, 2);
    expect(killedBySigkill(r.first)).toBe(true);
    expect(r.second.status).toBe(0);
    expect(r.rows.every((row) => row.status === 'sent')).toBe(true);
    const keys = r.rows.map((row) => row.idempotencyKey);
    // At the API: every key accepted exactly once ...
    expect([...r.accepted].sort()).toEqual([...keys].sort());
    // ... and only the message in flight at the crash was requested twice (the documented resend).
    const crashed = keys[2]!;
    expect(r.requests.filter((k) => k === crashed)).toHaveLength(2);
    for (const k of keys.filter((k) => k !== crashed))
      expect(r.requests.filter((x) => x === k)).toHaveLength(1);
    // The restarted relay recorded the provider id the API returned for the duplicate.
    expect(r.rows[2]!.providerMessageId).toBe('SM2');
    expect(r.rows[2]!.attempts).toBe(2);
  }, 60_000);
});
