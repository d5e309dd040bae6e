import { describe, expect, it } from 'vitest';
import { createRelay } from '../../src/delivery/relay.js';
import { type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { MAYBE_DELIVERED_PREFIX, OutboxRepository } from '../../src/store/repositories/outbox.js';
import { openTestStore } from '../helpers/engines.js';
import { enqueue, message, seedGuardian, testContext } from './helpers.js';

// 15:00 UTC is 09:00 in Chicago: inside the family sending window.
const T0 = Date.parse('2026-11-23T15:00:00Z');
const LEASE = 60_000;

/**
 * A relay died mid-send on `crashed` (left 'sending' with an expired lease); another text from the same number
 * is due first, so the rate limiter (1 text/s per number) holds the crashed one when it is reclaimed.
 */
async function setup(purpose = 'sms:crisis_reply', urgent = true) {
  const db = await openTestStore();
  await seedGuardian(db, 'g-1', 'America/Chicago');
  await seedGuardian(db, 'g-2', 'America/Chicago');
  const t = testContext(db, T0);
  const repo = new OutboxRepository(db);
  const sms = (n: number) =>
    message({
      createdAt: T0 - 3 * LEASE + n,
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: `g-${n}`,
      address: `+1555010000${n}`,
      purpose,
      urgent,
    });
  const first = await enqueue(db, sms(1));
  const crashed = await enqueue(db, sms(2));
  await repo.claimDue(T0 - 2 * LEASE, 'dead-relay', LEASE, 10);
  await repo.markAttempt(crashed, 'dead-relay', T0 - 2 * LEASE, T0 - LEASE);
  await repo.reschedule(first, T0 - 2 * LEASE, T0 - 4 * LEASE);
  const seen: Array<{ id: string; uncertain: boolean | undefined }> = [];
  const transport: Transport = {
    channel: 'sms',
    send: async (m) => {
      seen.push({ id: m.id, uncertain: m.uncertain });
      return { ok: true, providerMessageId: `SM${seen.length}` };
    },
  };
  const relay = createRelay({
    ctx: t.ctx,
    transports: new TransportRegistry([transport]),
    rateLimits: { sms: { perSender: { perSecond: 1, burst: 1 } } },
    leaseMs: LEASE,
  });
  return { ...t, repo, relay, first, crashed, seen };
}

describe('the "possibly delivered" mark survives every way back to pending', () => {
  it('a row reclaimed after a crash and then held by the rate limiter is still looked up before resending', async () => {
    const s = await setup();
    const round = await s.relay.runOnce();
    expect(round).toMatchObject({ claimed: 2, sent: 1, held: 1 });
    const held = (await s.repo.get(s.crashed))!;
    expect(held.status).toBe('pending');
    expect(held.lastError?.startsWith(MAYBE_DELIVERED_PREFIX)).toBe(true);

    s.clock.advance(1_000);
    expect(await s.relay.runOnce()).toMatchObject({ sent: 1 });
    expect(s.seen).toEqual([
      { id: s.first, uncertain: false },
      { id: s.crashed, uncertain: true },
    ]);
    expect((await s.repo.get(s.crashed))!.lastError).toBeNull();
  });

  it('a crashed row held by quiet hours keeps the mark too', async () => {
    const s = await setup('family_checkin', false);
    expect((await s.repo.get(s.crashed))!.status).toBe('sending');
    // 04:00 UTC is 22:00 in Chicago: a check-in text waits for 08:00.
    s.clock.set(Date.parse('2026-11-24T04:00:00Z'));
    expect(await s.relay.runOnce()).toMatchObject({ held: 2 });
    const held = (await s.repo.get(s.crashed))!;
    expect(held.status).toBe('pending');
    expect(held.lastError?.startsWith(MAYBE_DELIVERED_PREFIX)).toBe(true);
  });
});
