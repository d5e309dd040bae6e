import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/delivery/rate-limits.js';
import { createRelay } from '../../src/delivery/relay.js';
import { type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { openTestStore } from '../helpers/engines.js';
import { enqueue, message, testContext } from './helpers.js';

const T0 = Date.parse('2026-11-23T15:00:00Z');

describe('rate-limited rows come back one token apart, not all at once', () => {
  it('the limiter queues each held message one token behind the one before, across rounds', () => {
    const limiter = new RateLimiter({ sms: { perSender: { perSecond: 20, burst: 1 } } });
    const waits = [0, 1, 2, 3].map((i) =>
      limiter.reserve('sms', 'default', `+1555000000${i}`, T0, { id: `m${i}` }),
    );
    expect(waits).toEqual([0, 50, 100, 150]);
    // A message of a later round queues behind the held ones instead of taking the token of one of them.
    expect(limiter.reserve('sms', 'default', '+15550000009', T0 + 50, { id: 'late' })).toBe(150);
    // Each held message finds its token at its turn.
    expect(limiter.reserve('sms', 'default', '+15550000001', T0 + 50, { id: 'm1' })).toBe(0);
    expect(limiter.reserve('sms', 'default', '+15550000002', T0 + 100, { id: 'm2' })).toBe(0);
  });

  it('a reply to the family or an urgent text does not queue behind a send-out', () => {
    const limiter = new RateLimiter({ sms: { perSender: { perSecond: 1, burst: 1 } } });
    for (let i = 0; i < 100; i++)
      limiter.reserve('sms', 'default', `+1555000${1000 + i}`, T0, { id: `w${i}` });
    expect(limiter.reserve('sms', 'default', '+15550002000', T0, { id: 'routine' })).toBe(100_000);
    expect(limiter.reserve('sms', 'default', '+15550002001', T0, { id: 'help', priority: true })).toBe(0);
    // Priority messages share a bucket of their own at the same rate.
    expect(limiter.reserve('sms', 'default', '+15550002002', T0, { id: 'crisis', priority: true })).toBe(
      1000,
    );
  });

  it('a round held by the limiter spreads its rows over the next second (20 texts/s)', async () => {
    const db = await openTestStore();
    const t = testContext(db, T0);
    const sent: string[] = [];
    const sms: Transport = {
      channel: 'sms',
      send: async (m) => {
        sent.push(m.id);
        return { ok: true };
      },
    };
    const relay = createRelay({
      ctx: t.ctx,
      transports: new TransportRegistry([sms]),
      rateLimits: { sms: { perSender: { perSecond: 20, burst: 1 } } },
    });
    for (let i = 0; i < 40; i++)
      await enqueue(
        db,
        message({
          createdAt: T0,
          channel: 'sms',
          recipientKind: 'staff',
          address: `+1555000${1000 + i}`,
          urgent: true,
        }),
      );
    expect(await relay.runOnce()).toMatchObject({ claimed: 40, sent: 1, held: 39 });
    const pending = (await new OutboxRepository(db).list({ status: 'pending', limit: 100 }))
      .map((r) => r.notBefore - T0)
      .sort((a, b) => a - b);
    expect(pending).toEqual(Array.from({ length: 39 }, (_, i) => 50 * (i + 1)));
    // Each 50 ms one row is due and its token is there: 40 rows in 2 s, one send per round.
    for (let i = 0; i < 39; i++) {
      t.clock.advance(50);
      expect(await relay.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    }
    expect(sent).toHaveLength(40);
  });

  it('a send-out larger than a round is written back once per row, not once per round (1 text/s)', async () => {
    const db = await openTestStore();
    const t = testContext(db, T0);
    const sent: string[] = [];
    const relay = createRelay({
      ctx: t.ctx,
      transports: new TransportRegistry([
        {
          channel: 'sms',
          send: async (m) => {
            sent.push(m.id);
            return { ok: true };
          },
        },
      ]),
      rateLimits: { sms: { perSender: { perSecond: 1, burst: 1 } } },
      batchSize: 50,
    });
    for (let i = 0; i < 200; i++)
      await enqueue(
        db,
        message({ createdAt: T0, channel: 'sms', recipientKind: 'staff', address: `+1555000${1000 + i}` }),
      );
    let claims = 0;
    // The service loop after a round that sent: at once, until every row has its turn.
    for (let round = 0; round < 4; round++) claims += (await relay.runOnce()).claimed;
    expect(claims).toBe(200);
    const turns = (await new OutboxRepository(db).list({ status: 'pending', limit: 500 })).map(
      (r) => r.notBefore - T0,
    );
    // 199 distinct turns, one second apart: nothing comes back to find its token taken.
    expect(new Set(turns).size).toBe(199);
    expect(Math.max(...turns)).toBe(199_000);
    for (let s = 1; s <= 199; s++) {
      t.clock.set(T0 + s * 1000);
      claims += (await relay.runOnce()).claimed;
    }
    expect(sent).toHaveLength(200);
    expect(claims).toBe(399); // each row claimed once to get its turn, then once to go
  });
});
