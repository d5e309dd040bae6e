import { describe, expect, it } from 'vitest';
import { isSendingWindow, nextWindowOpening } from '../../src/delivery/quiet-hours.js';
import { createRelay } from '../../src/delivery/relay.js';
import { type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { type NewOutboxMessage, OutboxRepository } from '../../src/store/repositories/outbox.js';
import { openTestStore } from '../helpers/engines.js';
import { rowsOf } from '../helpers/tables.js';
import { enqueue, message, seedGuardian, testContext } from './helpers.js';

const Q = { start: 20, end: 8 };
const at = (iso: string) => Date.parse(iso);

describe('sending window', () => {
  it('19:59:59 is inside, 20:00:00 is quiet, 07:59:59 quiet, 08:00:00 inside (Chicago, CST)', () => {
    const zone = 'America/Chicago';
    expect(isSendingWindow(at('2026-11-24T01:59:59Z'), zone, Q)).toBe(true); // 19:59:59 CST
    expect(isSendingWindow(at('2026-11-24T02:00:00Z'), zone, Q)).toBe(false); // 20:00:00 CST
    expect(isSendingWindow(at('2026-11-24T13:59:59Z'), zone, Q)).toBe(false); // 07:59:59
    expect(isSendingWindow(at('2026-11-24T14:00:00Z'), zone, Q)).toBe(true); // 08:00:00
  });

  it('America/Phoenix keeps UTC-7 all year (no DST)', () => {
    // 20:00 in Phoenix is 03:00Z in both July and January.
    expect(isSendingWindow(at('2026-07-15T02:59:59Z'), 'America/Phoenix', Q)).toBe(true);
    expect(isSendingWindow(at('2026-07-15T03:00:00Z'), 'America/Phoenix', Q)).toBe(false);
    expect(isSendingWindow(at('2026-01-15T03:00:00Z'), 'America/Phoenix', Q)).toBe(false);
    // Same instant in Denver (DST in July, UTC-6) is already 21:00.
    expect(isSendingWindow(at('2026-07-15T02:30:00Z'), 'America/Denver', Q)).toBe(false);
    expect(nextWindowOpening(at('2026-07-15T03:00:00Z'), 'America/Phoenix', Q)).toBe(
      at('2026-07-15T15:00:00Z'),
    );
  });

  it('Pacific/Honolulu is UTC-10: a 19:00 UTC send is 09:00 there, a 06:00 UTC one is 20:00', () => {
    expect(isSendingWindow(at('2026-11-24T19:00:00Z'), 'Pacific/Honolulu', Q)).toBe(true);
    expect(isSendingWindow(at('2026-11-24T06:00:00Z'), 'Pacific/Honolulu', Q)).toBe(false);
    expect(nextWindowOpening(at('2026-11-24T06:00:00Z'), 'Pacific/Honolulu', Q)).toBe(
      at('2026-11-24T18:00:00Z'),
    );
  });

  it('spring forward: held Saturday night opens Sunday 08:00 EDT (12:00Z, not 13:00Z)', () => {
    const held = at('2026-03-08T02:00:00Z'); // Saturday 21:00 EST
    expect(isSendingWindow(held, 'America/New_York', Q)).toBe(false);
    expect(nextWindowOpening(held, 'America/New_York', Q)).toBe(at('2026-03-08T12:00:00Z'));
  });

  it('fall back: held Saturday night opens Sunday 08:00 EST (13:00Z, not 12:00Z)', () => {
    const held = at('2026-11-01T02:00:00Z'); // Saturday 22:00 EDT
    expect(nextWindowOpening(held, 'America/New_York', Q)).toBe(at('2026-11-01T13:00:00Z'));
    // 00:30 during the repeated hour is still quiet, and opens the same morning.
    expect(nextWindowOpening(at('2026-11-01T05:30:00Z'), 'America/New_York', Q)).toBe(
      at('2026-11-01T13:00:00Z'),
    );
  });

  it('a stricter district window (09–19) holds 19:00', () => {
    const strict = { start: 19, end: 9 };
    expect(isSendingWindow(at('2026-11-24T00:59:00Z'), 'America/Chicago', strict)).toBe(true); // 18:59
    expect(isSendingWindow(at('2026-11-24T01:00:00Z'), 'America/Chicago', strict)).toBe(false); // 19:00
    expect(nextWindowOpening(at('2026-11-24T01:00:00Z'), 'America/Chicago', strict)).toBe(
      at('2026-11-24T15:00:00Z'),
    );
  });
});

describe('relay and quiet hours', () => {
  async function setup(now: number, env: Record<string, string> = {}) {
    const db = await openTestStore();
    const t = testContext(db, now, env);
    const sent: string[] = [];
    const sms: Transport = {
      channel: 'sms',
      send: async (m) => {
        sent.push(m.id);
        return { ok: true, providerMessageId: `SM-${m.id}` };
      },
    };
    const slack: Transport = { ...sms, channel: 'slack' };
    const relay = createRelay({
      ctx: t.ctx,
      transports: new TransportRegistry([sms, slack]),
      rateLimits: false,
    });
    /** Queues a text to a guardian, created now. */
    const familyText = (guardianId: string, extra: Partial<NewOutboxMessage> = {}) =>
      enqueue(
        db,
        message({
          createdAt: t.clock(),
          channel: 'sms',
          recipientKind: 'guardian',
          recipientId: guardianId,
          ...extra,
        }),
      );
    return { ...t, db, relay, sent, familyText, repo: new OutboxRepository(db) };
  }

  it('holds a family text at 20:00:00 in the family zone until 08:00 there, then sends it', async () => {
    const s = await setup(at('2026-11-24T06:00:00Z')); // 20:00 Honolulu, 00:00 Chicago
    await seedGuardian(s.db, 'g-hi', 'Pacific/Honolulu');
    const id = await s.familyText('g-hi', { address: '+18085550100' });
    expect(await s.relay.runOnce()).toMatchObject({ held: 1, sent: 0 });
    expect(await s.repo.get(id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      notBefore: at('2026-11-24T18:00:00Z'),
    });
    s.clock.set(at('2026-11-24T17:59:59Z'));
    expect((await s.relay.runOnce()).claimed).toBe(0);
    s.clock.set(at('2026-11-24T18:00:00Z'));
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(s.sent).toEqual([id]);
  });

  it('sends to a Phoenix family at 19:59:59 local but holds one to a Chicago family at the same instant', async () => {
    const s = await setup(at('2026-07-15T02:59:59Z')); // 19:59:59 Phoenix, 21:59:59 Chicago
    await seedGuardian(s.db, 'g-az', 'America/Phoenix');
    await seedGuardian(s.db, 'g-il', 'America/Chicago');
    const az = await s.familyText('g-az');
    const il = await s.familyText('g-il');
    expect(await s.relay.runOnce()).toMatchObject({ sent: 1, held: 1 });
    expect(s.sent).toEqual([az]);
    expect((await s.repo.get(il))!.notBefore).toBe(at('2026-07-15T13:00:00Z')); // 08:00 CDT
  });

  it('an urgent crisis reply goes at night and leaves an audit record; staff messages are never held', async () => {
    const s = await setup(at('2026-11-24T08:00:00Z')); // 02:00 Chicago
    await seedGuardian(s.db, 'g-1', 'America/Chicago');
    const urgent = await s.familyText('g-1', { urgent: true });
    const toStaff = await enqueue(s.db, message({ createdAt: s.clock(), channel: 'slack' }));
    expect(await s.relay.runOnce()).toMatchObject({ sent: 2, held: 0 });
    expect(s.sent.sort()).toEqual([urgent, toStaff].sort());
    const audit = await rowsOf(s.db, 'auditLog');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      entity: 'outbox',
      entityId: urgent,
      action: 'quiet_hours_bypass',
      actor: 'relay',
    });
  });

  it('an urgent message inside the window writes no bypass record', async () => {
    const s = await setup(at('2026-11-24T18:00:00Z')); // 12:00 Chicago
    await seedGuardian(s.db, 'g-1', 'America/Chicago');
    await s.familyText('g-1', { urgent: true });
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(await rowsOf(s.db, 'auditLog')).toHaveLength(0);
  });

  it('uses the district quiet hours from config', async () => {
    const s = await setup(at('2026-11-25T01:30:00Z'), { QUIET_HOURS_START: '19', QUIET_HOURS_END: '9' }); // 19:30 Chicago
    await seedGuardian(s.db, 'g-1', 'America/Chicago');
    const id = await s.familyText('g-1');
    expect((await s.relay.runOnce()).held).toBe(1);
    expect((await s.repo.get(id))!.notBefore).toBe(at('2026-11-25T15:00:00Z')); // 09:00 CST
  });
});
