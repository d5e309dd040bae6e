import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/delivery/rate-limits.js';
import { createRelay } from '../../src/delivery/relay.js';
import { type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { openTestDatabase } from '../../src/store/db.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { enqueue, message, testContext } from './helpers.js';

const T0 = Date.parse('2026-11-23T15:00:00Z');

describe('rate-limited rows come back one token apart, not all at once', () => {
  it('the limiter queues each held message one token behind the one before', () => {
    const limiter = new RateLimiter({ sms: { perSender: { perSecond: 20, burst: 1 } } });
    const ahead = new Map<string, number>();
    const waits = [0, 1, 2, 3].map((i) => limiter.reserve('sms', 'default', `+1555000000${i}`, T0, ahead));
    expect(waits).toEqual([0, 50, 100, 150]);
    // A later round starts a new queue: a message due at its turn takes the token.
    expect(limiter.reserve('sms', 'default', '+15550000009', T0 + 50)).toBe(0);
  });

  it('a round held by the limiter spreads its rows over the next second (20 texts/s)', async () => {
    const db = openTestDatabase();
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
});
