import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { queueFamilyText, seedFamily, textedBefore } from '../bots/sms/helpers.js';
import { type CreatedText, TWILIO_START } from './fixtures/twilio-api.js';

const TSX = resolve('node_modules/.bin/tsx');
const CHILD = resolve('test/delivery/fixtures/relay-child.ts');
const PHONE = '+15550100001';
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

/**
 * Queues `n` texts to one family (each with its own words, so Twilio's log tells them apart) in one committed
 * transaction, then runs the relay process: crashing, then clean.
 */
async function crashAndRestart(point: 'before_send' | 'after_send', n: number, crashIndex: number) {
  const dir = mkdtempSync(join(tmpdir(), 'exactly-once-'));
  dirs.push(dir);
  const dbPath = join(dir, 'outbox.db');
  const db = openDatabase(dbPath);
  await seedFamily(db, [{ id: 'g-1', phone: PHONE }]);
  await textedBefore(db, 'g-1', PHONE);
  // Just before the relay's clock starts, so the texts are due at once.
  const queuedAt = TWILIO_START - 60_000;
  const ids: string[] = [];
  await db.transaction(async (tx) => {
    for (let i = 0; i < n; i++) {
      const id = await queueFamilyText(tx, 'g-1', PHONE, {
        id: `o-${i}`,
        idempotencyKey: `checkin|g-1|q${i}`,
        body: `How is Ana this week? (question ${i})`,
        createdAt: queuedAt + i,
      });
      ids.push(id!);
    }
  });
  await db.close();
  const paths = { CREATED_PATH: join(dir, 'created.log'), LOOKUPS_PATH: join(dir, 'lookups.log') };
  const run = (extra: Record<string, string>) =>
    spawnSync(TSX, [CHILD], {
      env: { ...process.env, ...paths, DB_PATH: dbPath, ...extra },
      encoding: 'utf8',
      timeout: 30_000,
    });
  const first = run({ CRASH: point, CRASH_ID: ids[crashIndex]! });
  const createdBeforeRestart = lines(paths.CREATED_PATH).length;
  // The restart runs a minute later, after the dead relay's 30 s lease has run out.
  const second = run({ CLOCK_OFFSET_MS: '60000' });
  const check = openDatabase(dbPath, { migrate: false });
  const rows = [];
  for (const id of ids) rows.push((await new OutboxRepository(check).get(id))!);
  await check.close();
  const created = lines(paths.CREATED_PATH).map((l) => JSON.parse(l) as CreatedText);
  return { first, second, rows, created, createdBeforeRestart, lookups: lines(paths.LOOKUPS_PATH) };
}

describe('exactly-once delivery across a SIGKILL, with the Twilio transport', () => {
  it('killed between commit and send: after restart each text is created at Twilio once', async () => {
    const r = await crashAndRestart('before_send', 5, 2);
    expect(killedBySigkill(r.first)).toBe(true);
    expect(r.second.status).toBe(0);
    expect(r.rows.every((row) => row.status === 'sent')).toBe(true);
    expect(r.created.map((c) => c.body).sort()).toEqual(r.rows.map((row) => row.body).sort());
    expect(r.created.every((c) => c.to === PHONE)).toBe(true);
    // The text in flight at the crash may have left: the restarted relay looked before sending it.
    expect(r.lookups).toEqual([PHONE]);
    expect(r.rows.map((row) => row.providerMessageId)).toEqual(
      r.rows.map((row) => r.created.find((c) => c.body === row.body)!.sid),
    );
  }, 60_000);

  it('killed after Twilio took the text but before recording it: found again, not sent twice', async () => {
    const r = await crashAndRestart('after_send', 5, 2);
    expect(killedBySigkill(r.first)).toBe(true);
    expect(r.second.status).toBe(0);
    expect(r.rows.every((row) => row.status === 'sent')).toBe(true);
    // Twilio has no idempotency key: each text is created once because the restart looks it up first.
    expect(r.created.map((c) => c.body).sort()).toEqual(r.rows.map((row) => row.body).sort());
    expect(r.createdBeforeRestart).toBe(3);
    expect(r.lookups).toEqual([PHONE]);
    // The restarted relay recorded the sid Twilio gave the copy sent before the crash.
    const crashed = r.rows[2]!;
    expect(crashed.providerMessageId).toBe(r.created.find((c) => c.body === crashed.body)!.sid);
    expect(crashed.attempts).toBe(2);
  }, 60_000);
});
