import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineOf, openDatabase, openTestDatabase } from '../../src/store/db.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';

// Work that queues up while the connection is busy commits as one transaction (one fsync), each piece in a
// savepoint of its own: a failing piece rolls back alone, and nobody hears "done" before the commit.

const entry = (entityId: string) => ({
  at: 1,
  actor: 'test',
  entity: 'probe',
  entityId,
  action: 'create',
  before: null,
  after: null,
});

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('group commit', () => {
  it('commits queued transactions together, and a failing one rolls back alone', async () => {
    const db = openTestDatabase();
    const runs = Array.from({ length: 20 }, (_, i) =>
      db.transaction(async (tx) => {
        await new AuditRepository(tx).append(entry(`t${i}`));
        if (i % 5 === 2) throw new Error(`transaction ${i} failed`);
        return i;
      }),
    );
    const outcomes = await Promise.allSettled(runs);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(4);
    const kept = (await new AuditRepository(db).listByEntity('probe')).map((r) => r.entityId).sort();
    expect(kept).toEqual(
      Array.from({ length: 20 }, (_, i) => i)
        .filter((i) => i % 5 !== 2)
        .map((i) => `t${i}`)
        .sort(),
    );
  });

  it('answers a caller only once its work is committed on disk', async () => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    const file = join(dir, 'g.db');
    const db = openDatabase(file);
    const seen: number[] = [];
    // A second connection sees only committed rows: what it counts when each caller hears back.
    const reader = openDatabase(file, { migrate: false });
    const count = () =>
      (engineOf(reader).$client.prepare(`select count(*) as n from audit_log`).get() as { n: number }).n;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        new AuditRepository(db).append(entry(`w${i}`)).then(() => seen.push(count())),
      ),
    );
    // Every caller saw its own row committed (a row count at least its place in the queue).
    expect(seen.every((n, i) => n >= i + 1)).toBe(true);
    expect(count()).toBe(30);
    await reader.close();
    await db.close();
  });

  it('keeps a group short so timers and sockets get their turn while a long queue drains', async () => {
    const db = openTestDatabase();
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    await Promise.all(
      Array.from({ length: 3_000 }, (_, i) =>
        db.transaction(async (tx) => {
          await new AuditRepository(tx).append(entry(`x${i}`));
        }),
      ),
    );
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(1);
    expect(await new AuditRepository(db).listByEntity('probe')).toHaveLength(3_000);
  });

  it('a caller awaiting one transaction after another still lets requests and timers have their turn', async () => {
    const db = openTestDatabase();
    let gaps = 0;
    const beat = setInterval(() => {
      gaps += 1;
    }, 1);
    // As the timer runner catches up a day's timers: a few awaits between one transaction and the next, so the
    // store's queue is empty each time a new one arrives.
    const started = performance.now();
    let done = 0;
    while (performance.now() - started < 300) {
      await db.transaction(async (tx) => new AuditRepository(tx).append(entry(`s${done}`)));
      for (let i = 0; i < 5; i++) await Promise.resolve();
      done += 1;
    }
    clearInterval(beat);
    expect(done).toBeGreaterThan(100);
    // The 1 ms beat ran throughout (it never ran at all while the loop held the thread).
    expect(gaps).toBeGreaterThan(10);
  });
});
