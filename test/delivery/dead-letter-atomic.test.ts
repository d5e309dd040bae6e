import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeadLetterAlert, DEAD_LETTER_PURPOSE } from '../../src/delivery/dead-letter.js';
import { createRelay } from '../../src/delivery/relay.js';
import { type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { defaultStaffRoute } from '../../src/services/staff-routing.js';
import { engineOf, openDatabase } from '../../src/store/db.js';
import { OutboxRepository, type OutboxRow } from '../../src/store/repositories/outbox.js';
import { auditLog, staff } from '../../src/store/schema/index.js';
import { enqueue, message, testContext } from './helpers.js';

const T0 = Date.parse('2026-11-24T18:00:00Z');
const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A relay on a database file, and a second connection to it: what another process would see. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'dead-letter-'));
  dirs.push(dir);
  const path = join(dir, 'outbox.db');
  const db = openDatabase(path);
  const other = openDatabase(path, { migrate: false });
  engineOf(db)
    .insert(staff)
    .values({
      id: 'admin-1',
      name: 'A',
      email: 'a@example.org',
      role: 'admin',
      timezone: 'America/Chicago',
      createdAt: 0,
      updatedAt: 0,
    })
    .run();
  const t = testContext(db, T0);
  const failing: Transport = {
    channel: 'sms',
    send: async () => ({ ok: false, kind: 'transient', reason: 'http_500' }),
  };
  closers.push(async () => {
    await db.close();
    await other.close();
  });
  return { ...t, db, other: new OutboxRepository(other), failing };
}

describe('a dead message and its admin alert commit together', () => {
  it('the death is not visible to anyone before the alert is written in the same transaction', async () => {
    const s = setup();
    const alert = createDeadLetterAlert(s.ctx, { route: defaultStaffRoute(s.ctx.config) });
    const seenByOthers: Array<string | undefined> = [];
    const relay = createRelay({
      ctx: s.ctx,
      transports: new TransportRegistry([s.failing]),
      rateLimits: false,
      maxAttempts: 1,
      onDead: async (row: OutboxRow, tx) => {
        // A crash here must not leave a committed 'dead' row without its alert.
        seenByOthers.push((await s.other.get(row.id))?.status);
        return alert(row, tx);
      },
    });
    const id = await enqueue(s.db, message({ createdAt: T0, channel: 'sms', purpose: 'family_checkin' }));
    expect(await relay.runOnce()).toMatchObject({ dead: 1 });
    expect(seenByOthers).toEqual(['sending']);
    expect((await s.other.get(id))!.status).toBe('dead');
    const alerts = (await s.other.list()).filter((r) => r.purpose === DEAD_LETTER_PURPOSE);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.payload).toMatchObject({ params: { id, dead: 1 } });
  });

  it('an alert given the transaction writes nothing when that transaction rolls back', async () => {
    const s = setup();
    const alert = createDeadLetterAlert(s.ctx, { route: defaultStaffRoute(s.ctx.config) });
    const id = await enqueue(s.db, message({ createdAt: T0, channel: 'sms', purpose: 'family_checkin' }));
    await expect(
      s.db.transaction(async (tx) => {
        const repo = new OutboxRepository(tx);
        await repo.finish(id, T0, 'dead', 'http_500');
        expect(await alert((await repo.get(id))!, tx)).toBe('alerted');
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect((await s.other.get(id))!.status).toBe('pending');
    expect((await s.other.list()).filter((r) => r.purpose === DEAD_LETTER_PURPOSE)).toHaveLength(0);
    expect(engineOf(s.db).select().from(auditLog).all()).toHaveLength(0);
  });

  it('a throwing alert undoes its own writes only: the row still dies and the error is logged', async () => {
    const s = setup();
    const alert = createDeadLetterAlert(s.ctx, { route: defaultStaffRoute(s.ctx.config) });
    const relay = createRelay({
      ctx: s.ctx,
      transports: new TransportRegistry([s.failing]),
      rateLimits: false,
      maxAttempts: 1,
      onDead: async (row, tx) => {
        await alert(row, tx);
        throw new Error('alert broke half-way');
      },
    });
    const id = await enqueue(s.db, message({ createdAt: T0, channel: 'sms' }));
    expect(await relay.runOnce()).toMatchObject({ dead: 1 });
    expect((await s.other.get(id))!.status).toBe('dead');
    expect((await s.other.list()).filter((r) => r.purpose === DEAD_LETTER_PURPOSE)).toHaveLength(0);
    expect(s.logLines.some((l) => l.includes('dead-letter alert failed'))).toBe(true);
  });
});
