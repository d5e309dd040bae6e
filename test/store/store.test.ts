import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openTestDatabase, UniqueViolation } from '../../src/store/db.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { CheckinRepository } from '../../src/store/repositories/checkins.js';
import { describeEngines } from '../helpers/engines.js';

// The async seam on one SQLite connection: transactions must not interleave, and a repository call made
// outside any transaction must not slip into someone else's open one (it would be rolled back with it).

const entry = (entityId: string) => ({
  at: 1,
  actor: 'test',
  entity: 'probe',
  entityId,
  action: 'create',
  before: null,
  after: null,
});

/** Lets every pending microtask and one macrotask run, so concurrent work gets its chance to interleave. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('store transactions on one SQLite connection', () => {
  it('runs concurrent transactions one after the other, never interleaved', async () => {
    const db = openTestDatabase();
    const order: string[] = [];
    const run = (name: string) =>
      db.transaction(async (tx) => {
        order.push(`${name}:begin`);
        await new AuditRepository(tx).append(entry(name));
        await yieldToOthers();
        order.push(`${name}:end`);
      });
    await Promise.all([run('a'), run('b'), run('c')]);
    expect(order).toEqual(['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
    expect(await new AuditRepository(db).listByEntity('probe')).toHaveLength(3);
  });

  it('joins the open transaction when code inside it uses the root store, instead of waiting for itself', async () => {
    const db = openTestDatabase();
    await expect(
      db.transaction(async () => {
        await new AuditRepository(db).append(entry('inside'));
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await new AuditRepository(db).listByEntity('probe')).toEqual([]);
  });
});

describeEngines('store transactions', (open) => {
  const opened: Db[] = [];
  const fresh = async () => {
    const db = await open();
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  it('keeps a write made outside any transaction when a concurrent transaction rolls back', async () => {
    const db = await fresh();
    const failing = db.transaction(async (tx) => {
      await new AuditRepository(tx).append(entry('rolled-back'));
      await yieldToOthers();
      throw new Error('state change failed');
    });
    const outside = new AuditRepository(db).append(entry('kept'));
    await expect(failing).rejects.toThrow('state change failed');
    await outside;
    const kept = (await new AuditRepository(db).listByEntity('probe')).map((r) => r.entityId);
    expect(kept).toEqual(['kept']);
  });

  it('a callback made inside a transaction that runs after it ended does not land in the next one', async () => {
    const db = await fresh();
    let later: Promise<void> | undefined;
    let release!: () => void;
    const fired = new Promise<void>((resolve) => {
      release = resolve;
    });
    await db.transaction(async (tx) => {
      await new AuditRepository(tx).append(entry('first'));
      // A timer set inside the transaction keeps its async context after the commit.
      setTimeout(() => {
        later = new AuditRepository(db).append(entry('from-timer'));
        release();
      }, 0);
    });
    const failing = db.transaction(async (tx) => {
      await new AuditRepository(tx).append(entry('rolled-back'));
      await fired;
      await yieldToOthers();
      throw new Error('state change failed');
    });
    await expect(failing).rejects.toThrow('state change failed');
    await later;
    const kept = (await new AuditRepository(db).listByEntity('probe')).map((r) => r.entityId).sort();
    expect(kept).toEqual(['first', 'from-timer']);
  });

  it('rolls back a nested transaction alone (a savepoint)', async () => {
    const db = await fresh();
    await db.transaction(async (tx) => {
      await new AuditRepository(tx).append(entry('outer'));
      await expect(
        tx.transaction(async (sp) => {
          await new AuditRepository(sp).append(entry('inner'));
          throw new Error('inner failed');
        }),
      ).rejects.toThrow('inner failed');
    });
    const ids = (await new AuditRepository(db).listByEntity('probe')).map((r) => r.entityId);
    expect(ids).toEqual(['outer']);
  });

  it('reports a unique-key conflict as UniqueViolation naming the table, and commits nothing of it', async () => {
    const db = await fresh();
    const session = (id: string) => ({
      id,
      kind: 'navigator' as const,
      participantId: 'nav-1',
      channel: 'local',
      scriptId: 'navigator-weekly',
      scriptVersion: 1,
      status: 'active' as const,
      period: '2026-W48',
      state: {},
      createdAt: 0,
      updatedAt: 0,
    });
    const err = await db
      .transaction(async (tx) => {
        await new CheckinRepository(tx).insertSession(session('first'));
        await new CheckinRepository(tx).insertSession(session('second'));
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UniqueViolation);
    expect(err).toMatchObject({ table: 'dialog_sessions', code: 'store:unique_violation' });
    expect(await new CheckinRepository(db).session('first')).toBeUndefined();
  });

  it('closes once all queued work is done, and answers no more', async () => {
    const db = await fresh();
    const pending = new AuditRepository(db).append(entry('last'));
    await db.close();
    await pending;
    expect(await db.answers()).toBe(false);
    await db.close();
  });
});
