import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { OutboxRepository, outboxKey } from '../../src/store/repositories/outbox.js';
import { figure } from './figures.js';

const MESSAGES = 2_000;
const KILLS = 8;
const dir = mkdtempSync(join(tmpdir(), 'crash-soak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a relay process; resolves once it runs, with a promise of its exit. */
function startRelay(env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/soak/fixtures/fanout-relay.ts')], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  return new Promise((ok, fail) => {
    child.stdout!.once('data', () => ok({ child, exited }));
    void exited.then((code) => fail(new Error(`relay exited early with ${code}`)));
  });
}

describe('SIGKILL at random points during a fan-out', () => {
  it('after every restart, each message reaches the platform exactly once', async () => {
    const dbPath = join(dir, 'fanout.db');
    const platform = join(dir, 'platform.log');
    const db = openDatabase(dbPath);
    await db.transaction(async (tx) => {
      for (let i = 0; i < MESSAGES; i++)
        await OutboxRepository.enqueue(tx, {
          id: `o-${i}`,
          idempotencyKey: outboxKey({
            recipient: `nav-${i}`,
            purpose: 'navigator_prompt',
            period: '2026-W48',
          }),
          channel: 'slack',
          recipientKind: 'staff',
          recipientId: `nav-${i}`,
          address: `D${i}`,
          purpose: 'navigator_prompt',
          locale: 'en',
          payload: { key: 'navigator.prompt' },
          createdAt: Date.now(),
        });
    });
    await db.close();
    const env = { DB_PATH: dbPath, PLATFORM_PATH: platform };
    let kills = 0;
    // How far the fan-out had got at each kill: a kill at 0 or at the end would prove nothing.
    const sentAtKills: number[] = [];
    for (; kills < KILLS; kills++) {
      const { child, exited } = await startRelay(env);
      await sleep(20 + Math.floor(Math.random() * 230));
      child.kill('SIGKILL');
      await exited;
      const probe = openDatabase(dbPath, { migrate: false });
      sentAtKills.push((await new OutboxRepository(probe).countByStatus()).sent);
      await probe.close();
    }
    const last = await startRelay(env);
    const check = openDatabase(dbPath, { migrate: false });
    const repo = new OutboxRepository(check);
    for (let i = 0; i < 200; i++) {
      const counts = await repo.countByStatus();
      if (counts.sent === MESSAGES) break;
      await sleep(100);
    }
    last.child.kill('SIGKILL');
    await last.exited;
    const counts = await repo.countByStatus();
    await check.close();
    const lines = readFileSync(platform, 'utf8').split('\n').filter(Boolean);
    const distinct = new Set(lines);
    figure('crash-fanout', {
      messages: MESSAGES,
      sigkills: kills,
      sentAtKills: sentAtKills.join('/'),
      delivered: distinct.size,
      duplicates: lines.length - distinct.size,
      sent: counts.sent,
    });
    expect(counts.sent).toBe(MESSAGES);
    expect(distinct.size).toBe(MESSAGES);
    expect(lines.length).toBe(MESSAGES);
  });
});
