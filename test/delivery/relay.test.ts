import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRelay } from '../../src/delivery/relay.js';
import { type SendResult, type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { openDatabase } from '../../src/store/db.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { openTestStore } from '../helpers/engines.js';
import { enqueue, fakeApi, message, testContext } from './helpers.js';

const api = fakeApi();
afterEach(() => {
  api.requests.length = 0;
  api.script.length = 0;
});

// Monday 2026-11-23 15:00 UTC = 09:00 in Chicago: inside the sending window.
const T0 = Date.parse('2026-11-23T15:00:00Z');

async function setup(opts: { maxAttempts?: number; random?: () => number } = {}) {
  const db = await openTestStore();
  const t = testContext(db, T0);
  const transports = new TransportRegistry([api.transport('slack', t.ctx.clock)]);
  const onDead = vi.fn();
  const relay = createRelay({
    ctx: t.ctx,
    transports,
    rateLimits: false,
    owner: 'relay-a',
    random: opts.random ?? (() => 0.5),
    maxAttempts: opts.maxAttempts ?? 8,
    onDead,
  });
  return { ...t, db, relay, repo: new OutboxRepository(db), onDead };
}

describe('outbox relay', () => {
  it('sends a due message once and records the provider id and time', async () => {
    const s = await setup();
    const id = await enqueue(s.db, message({ createdAt: T0 }));
    expect(await s.relay.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await s.relay.runOnce()).toMatchObject({ claimed: 0, sent: 0 });
    const row = (await s.repo.get(id))!;
    expect(row).toMatchObject({ status: 'sent', providerMessageId: 'SM1', sentAt: T0, attempts: 1 });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.key).toBe(row.idempotencyKey);
  });

  it('does not send a message before its notBefore', async () => {
    const s = await setup();
    await enqueue(s.db, message({ createdAt: T0, notBefore: T0 + 60_000 }));
    expect((await s.relay.runOnce()).claimed).toBe(0);
    s.clock.advance(60_000);
    expect((await s.relay.runOnce()).sent).toBe(1);
  });

  it('honours 429 Retry-After, then sends', async () => {
    const s = await setup({ random: () => 0 });
    const id = await enqueue(s.db, message({ createdAt: T0 }));
    api.script.push({ status: 429, headers: { 'retry-after': '30' } });
    expect(await s.relay.runOnce()).toMatchObject({ retried: 1, sent: 0 });
    expect(await s.repo.get(id)).toMatchObject({ status: 'pending', notBefore: T0 + 30_000, attempts: 1 });
    expect((await s.repo.get(id))!.lastError).toContain('rate_limited');
    s.clock.advance(29_999);
    expect((await s.relay.runOnce()).claimed).toBe(0);
    s.clock.advance(1);
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(await s.repo.get(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries a 500 with full-jitter exponential backoff from the injected random source', async () => {
    const s = await setup({ random: () => 0.5 });
    const id = await enqueue(s.db, message({ createdAt: T0 }));
    api.script.push({ status: 500 }, { status: 503 }, { status: 502 });
    await s.relay.runOnce();
    expect((await s.repo.get(id))!.notBefore).toBe(T0 + 1_000); // 0.5 × 2 s
    s.clock.set(T0 + 1_000);
    await s.relay.runOnce();
    expect((await s.repo.get(id))!.notBefore).toBe(T0 + 1_000 + 2_000); // 0.5 × 4 s
    s.clock.set(T0 + 3_000);
    await s.relay.runOnce();
    expect((await s.repo.get(id))!.notBefore).toBe(T0 + 3_000 + 4_000); // 0.5 × 8 s
    s.clock.set(T0 + 7_000);
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(api.requests).toHaveLength(4);
  });

  it('treats a network error as transient, and as possibly delivered', async () => {
    const s = await setup();
    const id = await enqueue(s.db, message({ createdAt: T0 }));
    api.script.push('network');
    expect(await s.relay.runOnce()).toMatchObject({ retried: 1 });
    expect(await s.repo.get(id)).toMatchObject({ status: 'pending', lastError: 'maybe_delivered:network' });
    // It may have arrived: the next try waits at least a lease (60 s), so the platform has caught up.
    s.clock.advance(59_999);
    expect((await s.relay.runOnce()).claimed).toBe(0);
    s.clock.advance(1);
    expect((await s.relay.runOnce()).sent).toBe(1);
  });

  it('stops at once on a permanent error, with the platform code as reason', async () => {
    const s = await setup();
    const id = await enqueue(s.db, message({ createdAt: T0 }));
    api.script.push({ status: 400, body: { code: 21610 } });
    expect(await s.relay.runOnce()).toMatchObject({ failed: 1, retried: 0 });
    expect(await s.repo.get(id)).toMatchObject({
      status: 'failed',
      lastError: '21610:http_400',
      attempts: 1,
    });
    s.clock.advance(3_600_000);
    expect((await s.relay.runOnce()).claimed).toBe(0);
    expect(api.requests).toHaveLength(1);
  });

  it('dead-letters after maxAttempts and alerts without personal data', async () => {
    const s = await setup({ maxAttempts: 3, random: () => 0 });
    const id = await enqueue(s.db, message({ createdAt: T0, address: '+15551234567', body: 'secret words' }));
    api.script.push({ status: 500 }, { status: 500 }, { status: 500 });
    for (let i = 0; i < 3; i++) {
      await s.relay.runOnce();
      s.clock.advance(1);
    }
    expect(await s.repo.get(id)).toMatchObject({ status: 'dead', attempts: 3 });
    expect(s.onDead).toHaveBeenCalledTimes(1);
    expect(s.onDead.mock.calls[0]![0]).toMatchObject({ id, status: 'dead' });
    const errors = s.logLines.filter((l) => l.includes('"level":50'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(id);
    expect(errors[0]).not.toContain('5551234567');
    expect(errors[0]).not.toContain('secret words');
    s.clock.advance(3_600_000);
    expect((await s.relay.runOnce()).claimed).toBe(0);
  });

  it('an admin retry puts a dead message back in the queue with fresh attempts', async () => {
    const s = await setup({ maxAttempts: 1 });
    const id = await enqueue(s.db, message({ createdAt: T0 }));
    api.script.push({ status: 500 });
    await s.relay.runOnce();
    expect((await s.repo.get(id))!.status).toBe('dead');
    expect(await s.repo.retry(id, s.clock())).toBe(true);
    expect(await s.repo.retry(id, s.clock())).toBe(false);
    expect((await s.relay.runOnce()).sent).toBe(1);
  });

  it('fails a row whose channel has no transport', async () => {
    const s = await setup();
    const id = await enqueue(s.db, message({ createdAt: T0, channel: 'teams' }));
    expect((await s.relay.runOnce()).failed).toBe(1);
    expect(await s.repo.get(id)).toMatchObject({ status: 'failed', lastError: 'transport:not_configured' });
  });

  it('keeps messages to one conversation in order: a later one waits for an earlier retry', async () => {
    const s = await setup({ random: () => 0 });
    const first = await enqueue(s.db, message({ createdAt: T0, address: 'C1' }));
    const second = await enqueue(s.db, message({ createdAt: T0 + 1, address: 'C1', notBefore: T0 }));
    api.script.push({ status: 429, headers: { 'retry-after': '5' } });
    await s.relay.runOnce();
    expect((await s.repo.get(second))!.status).toBe('pending');
    expect((await s.repo.get(second))!.notBefore).toBeGreaterThanOrEqual(
      (await s.repo.get(first))!.notBefore,
    );
    expect(api.requests).toHaveLength(1);
  });

  it('reclaims a row whose relay died mid-send, resends it with the same key and warns', async () => {
    const s = await setup();
    const id = await enqueue(s.db, message({ createdAt: T0 }));
    const other = new OutboxRepository(s.db);
    expect(await other.claimDue(T0, 'dead-relay', 1_000, 10)).toHaveLength(1);
    expect(await other.markAttempt(id, 'dead-relay', T0, T0 + 1_000)).toBe(true);
    expect((await s.relay.runOnce()).claimed).toBe(0); // lease still held
    s.clock.advance(1_001);
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(await s.repo.get(id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(s.logLines.some((l) => l.includes('resending after a relay died mid-send'))).toBe(true);
  });

  it('tells the transport when a reclaimed row may have reached the platform already', async () => {
    const db = await openTestStore();
    const t = testContext(db, T0);
    const seen: Array<boolean | undefined> = [];
    const local: Transport = {
      channel: 'local',
      send: async (m) => {
        seen.push(m.uncertain);
        return { ok: true };
      },
    };
    const relay = createRelay({ ctx: t.ctx, transports: new TransportRegistry([local]), rateLimits: false });
    const fresh = await enqueue(db, message({ createdAt: T0, channel: 'local' }));
    expect((await relay.runOnce()).sent).toBe(1);
    const reclaimed = await enqueue(db, message({ createdAt: T0, channel: 'local' }));
    const other = new OutboxRepository(db);
    expect((await other.claimDue(T0, 'dead-relay', 1_000, 10)).map((r) => r.id)).toEqual([reclaimed]);
    expect(await other.markAttempt(reclaimed, 'dead-relay', T0, T0 + 1_000)).toBe(true);
    t.clock.advance(1_001);
    expect((await relay.runOnce()).sent).toBe(1);
    expect(seen).toEqual([false, true]);
    expect((await other.get(fresh))!.status).toBe('sent');
  });

  it('stop() waits for an in-flight send to be recorded', async () => {
    const db = await openTestStore();
    const t = testContext(db, T0);
    let release!: (r: SendResult) => void;
    const slow: Transport = {
      channel: 'local',
      send: () =>
        new Promise<SendResult>((resolve) => {
          release = resolve;
        }),
    };
    const relay = createRelay({ ctx: t.ctx, transports: new TransportRegistry([slow]), pollMs: 60_000 });
    const id = await enqueue(db, message({ createdAt: T0, channel: 'local' }));
    relay.start();
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    let stopped = false;
    const stopping = relay.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    release({ ok: true, providerMessageId: 'L1' });
    await stopping;
    expect(await new OutboxRepository(db).get(id)).toMatchObject({ status: 'sent', providerMessageId: 'L1' });
  });
});

describe('two relays racing over one database file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('deliver each message exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-race-'));
    dirs.push(dir);
    const path = join(dir, 'race.db');
    const db = openDatabase(path);
    const a = testContext(db, T0);
    for (let i = 0; i < 60; i++) await enqueue(db, message({ createdAt: T0, address: `C${i % 7}` }));
    // The other relay runs in its own process: a process holds one connection (see src/store/store.ts).
    const files = { SENT_PATH: join(dir, 'sent-by-b.log'), READY_PATH: join(dir, 'b-ready') };
    const other = spawn(
      resolve('node_modules/.bin/tsx'),
      [resolve('test/delivery/fixtures/racing-relay.ts')],
      {
        env: { ...process.env, ...files, DB_PATH: path, NOW: String(T0) },
      },
    );
    let output = '';
    other.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((done) => other.on('exit', done));
    await vi.waitFor(() => expect(existsSync(files.READY_PATH)).toBe(true), { timeout: 20_000 });
    const slow = api.transport('slack', a.ctx.clock);
    const ra = createRelay({
      ctx: a.ctx,
      owner: 'A',
      rateLimits: false,
      batchSize: 8,
      transports: new TransportRegistry([
        {
          channel: 'slack',
          async send(m) {
            // As long as a platform call takes, so the two relays' rounds overlap.
            await sleep(5);
            return slow.send(m);
          },
        },
      ]),
    });
    let sent = 0;
    const repo = new OutboxRepository(db);
    for (let round = 0; round < 200; round++) {
      sent += (await ra.runOnce()).sent;
      const counts = await repo.countByStatus();
      if (counts.pending + counts.sending === 0) break;
    }
    expect(await exited).toBe(0);
    sent += (JSON.parse(output) as { sent: number }).sent;
    expect(sent).toBe(60);
    const keys = [
      ...api.requests.map((r) => r.key),
      ...(existsSync(files.SENT_PATH) ? readFileSync(files.SENT_PATH, 'utf8').split('\n') : []).filter(
        Boolean,
      ),
    ];
    expect(keys).toHaveLength(60);
    expect(new Set(keys).size).toBe(60);
    expect((await repo.countByStatus()).sent).toBe(60);
    await db.close();
  }, 30_000);
});
