import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SendResult, Transport } from '../../src/bots/transport.js';
import { createRelay } from '../../src/delivery/relay.js';
import { createHttpTransport, TransportRegistry } from '../../src/delivery/transports.js';
import { openDatabase, openTestDatabase } from '../../src/store/db.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { useScriptedApi } from '../helpers/msw.js';
import { API_URL, enqueue, fakeApi, message, testContext } from './helpers.js';

const api = fakeApi();
useScriptedApi(api);

// Monday 2026-11-23 15:00 UTC = 09:00 in Chicago: inside the sending window.
const T0 = Date.parse('2026-11-23T15:00:00Z');

function setup(opts: { maxAttempts?: number; random?: () => number } = {}) {
  const db = openTestDatabase();
  const t = testContext(db, T0);
  const transports = new TransportRegistry([
    createHttpTransport({ channel: 'slack', url: API_URL, clock: t.ctx.clock }),
  ]);
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
    const s = setup();
    const id = enqueue(s.db, message({ createdAt: T0 }));
    expect(await s.relay.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await s.relay.runOnce()).toMatchObject({ claimed: 0, sent: 0 });
    const row = s.repo.get(id)!;
    expect(row).toMatchObject({ status: 'sent', providerMessageId: 'SM1', sentAt: T0, attempts: 1 });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.key).toBe(row.idempotencyKey);
  });

  it('does not send a message before its notBefore', async () => {
    const s = setup();
    enqueue(s.db, message({ createdAt: T0, notBefore: T0 + 60_000 }));
    expect((await s.relay.runOnce()).claimed).toBe(0);
    s.clock.advance(60_000);
    expect((await s.relay.runOnce()).sent).toBe(1);
  });

  it('honours 429 Retry-After, then sends', async () => {
    const s = setup({ random: () => 0 });
    const id = enqueue(s.db, message({ createdAt: T0 }));
    api.script.push({ status: 429, headers: { 'retry-after': '30' } });
    expect(await s.relay.runOnce()).toMatchObject({ retried: 1, sent: 0 });
    expect(s.repo.get(id)).toMatchObject({ status: 'pending', notBefore: T0 + 30_000, attempts: 1 });
    expect(s.repo.get(id)!.lastError).toContain('rate_limited');
    s.clock.advance(29_999);
    expect((await s.relay.runOnce()).claimed).toBe(0);
    s.clock.advance(1);
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(s.repo.get(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries a 500 with full-jitter exponential backoff from the injected random source', async () => {
    const s = setup({ random: () => 0.5 });
    const id = enqueue(s.db, message({ createdAt: T0 }));
    api.script.push({ status: 500 }, { status: 503 }, { status: 502 });
    await s.relay.runOnce();
    expect(s.repo.get(id)!.notBefore).toBe(T0 + 1_000); // 0.5 × 2 s
    s.clock.set(T0 + 1_000);
    await s.relay.runOnce();
    expect(s.repo.get(id)!.notBefore).toBe(T0 + 1_000 + 2_000); // 0.5 × 4 s
    s.clock.set(T0 + 3_000);
    await s.relay.runOnce();
    expect(s.repo.get(id)!.notBefore).toBe(T0 + 3_000 + 4_000); // 0.5 × 8 s
    s.clock.set(T0 + 7_000);
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(api.requests).toHaveLength(4);
  });

  it('treats a network error as transient, and as possibly delivered', async () => {
    const s = setup();
    const id = enqueue(s.db, message({ createdAt: T0 }));
    api.script.push('network');
    expect(await s.relay.runOnce()).toMatchObject({ retried: 1 });
    expect(s.repo.get(id)).toMatchObject({ status: 'pending', lastError: 'maybe_delivered:network' });
    // It may have arrived: the next try waits at least a lease (60 s), so the platform has caught up.
    s.clock.advance(59_999);
    expect((await s.relay.runOnce()).claimed).toBe(0);
    s.clock.advance(1);
    expect((await s.relay.runOnce()).sent).toBe(1);
  });

  it('stops at once on a permanent error, with the platform code as reason', async () => {
    const s = setup();
    const id = enqueue(s.db, message({ createdAt: T0 }));
    api.script.push({ status: 400, body: { code: 21610 } });
    expect(await s.relay.runOnce()).toMatchObject({ failed: 1, retried: 0 });
    expect(s.repo.get(id)).toMatchObject({ status: 'failed', lastError: '21610:http_400', attempts: 1 });
    s.clock.advance(3_600_000);
    expect((await s.relay.runOnce()).claimed).toBe(0);
    expect(api.requests).toHaveLength(1);
  });

  it('dead-letters after maxAttempts and alerts without personal data', async () => {
    const s = setup({ maxAttempts: 3, random: () => 0 });
    const id = enqueue(s.db, message({ createdAt: T0, address: '+15551234567', body: 'secret words' }));
    api.script.push({ status: 500 }, { status: 500 }, { status: 500 });
    for (let i = 0; i < 3; i++) {
      await s.relay.runOnce();
      s.clock.advance(1);
    }
    expect(s.repo.get(id)).toMatchObject({ status: 'dead', attempts: 3 });
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
    const s = setup({ maxAttempts: 1 });
    const id = enqueue(s.db, message({ createdAt: T0 }));
    api.script.push({ status: 500 });
    await s.relay.runOnce();
    expect(s.repo.get(id)!.status).toBe('dead');
    expect(s.repo.retry(id, s.clock())).toBe(true);
    expect(s.repo.retry(id, s.clock())).toBe(false);
    expect((await s.relay.runOnce()).sent).toBe(1);
  });

  it('fails a row whose channel has no transport', async () => {
    const s = setup();
    const id = enqueue(s.db, message({ createdAt: T0, channel: 'teams' }));
    expect((await s.relay.runOnce()).failed).toBe(1);
    expect(s.repo.get(id)).toMatchObject({ status: 'failed', lastError: 'transport:not_configured' });
  });

  it('keeps messages to one conversation in order: a later one waits for an earlier retry', async () => {
    const s = setup({ random: () => 0 });
    const first = enqueue(s.db, message({ createdAt: T0, address: 'C1' }));
    const second = enqueue(s.db, message({ createdAt: T0 + 1, address: 'C1', notBefore: T0 }));
    api.script.push({ status: 429, headers: { 'retry-after': '5' } });
    await s.relay.runOnce();
    expect(s.repo.get(second)!.status).toBe('pending');
    expect(s.repo.get(second)!.notBefore).toBeGreaterThanOrEqual(s.repo.get(first)!.notBefore);
    expect(api.requests).toHaveLength(1);
  });

  it('reclaims a row whose relay died mid-send, resends it with the same key and warns', async () => {
    const s = setup();
    const id = enqueue(s.db, message({ createdAt: T0 }));
    const other = new OutboxRepository(s.db);
    expect(other.claimDue(T0, 'dead-relay', 1_000, 10)).toHaveLength(1);
    expect(other.markAttempt(id, 'dead-relay', T0, T0 + 1_000)).toBe(true);
    expect((await s.relay.runOnce()).claimed).toBe(0); // lease still held
    s.clock.advance(1_001);
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(s.repo.get(id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(s.logLines.some((l) => l.includes('resending after a relay died mid-send'))).toBe(true);
  });

  it('tells the transport when a reclaimed row may have reached the platform already', async () => {
    const db = openTestDatabase();
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
    const fresh = enqueue(db, message({ createdAt: T0, channel: 'local' }));
    expect((await relay.runOnce()).sent).toBe(1);
    const reclaimed = enqueue(db, message({ createdAt: T0, channel: 'local' }));
    const other = new OutboxRepository(db);
    expect(other.claimDue(T0, 'dead-relay', 1_000, 10).map((r) => r.id)).toEqual([reclaimed]);
    expect(other.markAttempt(reclaimed, 'dead-relay', T0, T0 + 1_000)).toBe(true);
    t.clock.advance(1_001);
    expect((await relay.runOnce()).sent).toBe(1);
    expect(seen).toEqual([false, true]);
    expect(other.get(fresh)!.status).toBe('sent');
  });

  it('stop() waits for an in-flight send to be recorded', async () => {
    const db = openTestDatabase();
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
    const id = enqueue(db, message({ createdAt: T0, channel: 'local' }));
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
    expect(new OutboxRepository(db).get(id)).toMatchObject({ status: 'sent', providerMessageId: 'L1' });
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
    const dbA = openDatabase(join(dir, 'race.db'));
    const dbB = openDatabase(join(dir, 'race.db'), { migrate: false });
    const a = testContext(dbA, T0);
    const b = testContext(dbB, T0);
    for (let i = 0; i < 60; i++) enqueue(dbA, message({ createdAt: T0, address: `C${i % 7}` }));
    const relay = (ctx: typeof a.ctx, owner: string) =>
      createRelay({
        ctx,
        owner,
        rateLimits: false,
        batchSize: 8,
        transports: new TransportRegistry([
          createHttpTransport({ channel: 'slack', url: API_URL, clock: ctx.clock }),
        ]),
      });
    const ra = relay(a.ctx, 'A');
    const rb = relay(b.ctx, 'B');
    let sent = 0;
    for (let round = 0; round < 20; round++) {
      const rounds = await Promise.all([ra.runOnce(), rb.runOnce(), rb.runOnce(), ra.runOnce()]);
      sent += rounds.reduce((sum, r) => sum + r.sent, 0);
    }
    expect(sent).toBe(60);
    const keys = api.requests.map((r) => r.key);
    expect(keys).toHaveLength(60);
    expect(new Set(keys).size).toBe(60);
    expect(new OutboxRepository(dbA).countByStatus().sent).toBe(60);
    dbA.$client.close();
    dbB.$client.close();
  });
});
