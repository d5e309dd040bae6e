import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, engineOf, openDatabase } from '../../src/store/db.js';
import { InboundEventRepository } from '../../src/store/repositories/inbound.js';
import {
  failureReason,
  MAYBE_DELIVERED_PREFIX,
  OutboxRepository,
  outboxKey,
} from '../../src/store/repositories/outbox.js';
import { message } from '../delivery/helpers.js';
import { describeEngines } from '../helpers/engines.js';
import { tablesOf } from '../helpers/tables.js';

const T0 = Date.parse('2026-11-23T15:00:00Z');

describe('outbox keys', () => {
  it('builds one key per (recipient, purpose, period, step)', () => {
    const a = outboxKey({ recipient: 'g-1', purpose: 'family_checkin', period: '2026-W48', step: 'q1' });
    expect(a).toBe('family_checkin|g-1|2026-W48|q1');
    expect(
      outboxKey({ recipient: 'g-1', purpose: 'family_checkin', period: '2026-W48', step: 'q2' }),
    ).not.toBe(a);
    expect(outboxKey({ recipient: 'g|1', purpose: 'p', period: 'w' })).toBe('p|g/1|w|-');
  });
});

describeEngines('outbox repository', (open) => {
  const opened: Db[] = [];
  const openTestDatabase = async () => {
    const db = await open();
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  it('commits the message with the caller’s state change, and rolls back with it', async () => {
    const db = await openTestDatabase();
    const m = message({ createdAt: T0 });
    await db.transaction(async (tx) => {
      await engineOf(tx)
        .insert(tablesOf(tx).schools)
        .values({ id: 'S1', name: 'S', timezone: 'UTC', createdAt: T0, updatedAt: T0 });
      expect(await OutboxRepository.enqueue(tx, m)).toBe(m.id);
    });
    const m2 = message({ createdAt: T0 });
    await expect(
      db.transaction(async (tx) => {
        await OutboxRepository.enqueue(tx, m2);
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    const repo = new OutboxRepository(db);
    expect(await repo.get(m.id)).toMatchObject({ status: 'pending', notBefore: T0, attempts: 0 });
    expect(await repo.get(m2.id)).toBeUndefined();
  });

  it('ignores a second message with the same idempotency key', async () => {
    const repo = new OutboxRepository(await openTestDatabase());
    const m = message({ createdAt: T0 });
    expect(await repo.enqueue(m)).toBe(m.id);
    expect(await repo.enqueue({ ...m, id: 'other-id' })).toBeNull();
    expect(await repo.list()).toHaveLength(1);
    await expect(
      repo.enqueue({ ...m, id: 'x', idempotencyKey: 'k2', channel: 'fax' as never }),
    ).rejects.toThrow();
  });

  it('lists newest first by status, counts by status, and takes delivery reports', async () => {
    const repo = new OutboxRepository(await openTestDatabase());
    const first = message({ createdAt: T0 });
    const second = message({ createdAt: T0 + 1 });
    await repo.enqueue(first);
    await repo.enqueue(second);
    await repo.markSent(first.id, T0 + 5, 'SM1');
    expect((await repo.list()).map((r) => r.id)).toEqual([second.id, first.id]);
    expect((await repo.list({ status: 'sent' })).map((r) => r.id)).toEqual([first.id]);
    expect(await repo.recordProviderStatus('SM1', 'delivered', T0 + 9)).toBe(true);
    expect(await repo.countByStatus()).toMatchObject({ pending: 1, delivered: 1, sent: 0, dead: 0 });
  });
});

describe('two connections to one SQLite file', () => {
  it('claims a row for one owner only until its lease expires', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    try {
      const a = new OutboxRepository(openDatabase(join(dir, 'o.db')));
      const b = new OutboxRepository(openDatabase(join(dir, 'o.db'), { migrate: false }));
      const m = message({ createdAt: T0 });
      await a.enqueue(m);
      expect((await a.claimDue(T0, 'A', 1_000, 10)).map((r) => r.id)).toEqual([m.id]);
      expect(await b.claimDue(T0, 'B', 1_000, 10)).toEqual([]);
      expect(await b.markAttempt(m.id, 'B', T0, T0 + 1_000)).toBe(false);
      expect(await b.claimDue(T0 + 1_001, 'B', 1_000, 10)).toHaveLength(1);
      expect(await a.markAttempt(m.id, 'A', T0, T0 + 1_000)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records a platform event once, also from two connections at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inbound-'));
    try {
      const a = new InboundEventRepository(openDatabase(join(dir, 'i.db')));
      const b = new InboundEventRepository(openDatabase(join(dir, 'i.db'), { migrate: false }));
      const results = await Promise.all([a.recordOnce('sms', 'SM123', T0), b.recordOnce('sms', 'SM123', T0)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await a.recordOnce('slack', 'SM123', T0)).toBe(true); // another channel's id space
      await a.finish('sms', 'SM123', 'processed');
      expect(await b.get('sms', 'SM123')).toMatchObject({ status: 'processed', channel: 'sms' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeEngines('outbox uncertainty', (open) => {
  it('claims a row whose last failure may have been delivered as uncertain, until it is sent', async () => {
    const db = await open();
    const repo = new OutboxRepository(db);
    const plain = message({ createdAt: T0 });
    const maybe = message({ createdAt: T0 });
    await OutboxRepository.enqueue(db, plain);
    await OutboxRepository.enqueue(db, maybe);
    await repo.reschedule(plain.id, T0, T0, failureReason('http_503', false));
    await repo.reschedule(maybe.id, T0, T0, failureReason('timeout', true));
    expect((await repo.get(maybe.id))!.lastError).toBe(`${MAYBE_DELIVERED_PREFIX}timeout`);
    expect(failureReason(`${MAYBE_DELIVERED_PREFIX}timeout`, true)).toBe(`${MAYBE_DELIVERED_PREFIX}timeout`);
    const claimed = await repo.claimDue(T0, 'relay-a', 1_000, 10);
    expect(Object.fromEntries(claimed.map((r) => [r.id, r.uncertain]))).toEqual({
      [plain.id]: false,
      [maybe.id]: true,
    });
    await repo.markSent(maybe.id, T0, 'SM1');
    expect((await repo.get(maybe.id))!.lastError).toBeNull();
    await db.close();
  });
});
