import { describe, expect, it } from 'vitest';
import { createRelay } from '../../src/delivery/relay.js';
import { type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { OutboxRepository, outboxKey } from '../../src/store/repositories/outbox.js';
import { testContext } from '../delivery/helpers.js';
import { openTestStore } from '../helpers/engines.js';
import { figure } from './figures.js';

const T0 = Date.parse('2026-11-24T18:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const URGENT = 200;
const OUTAGE = 20 * HOUR;

describe('a 20-hour outage of Slack and Twilio', () => {
  it('every urgent message is delivered once the platforms return, none dead, each once', async () => {
    const db = await openTestStore();
    const t = testContext(db, T0);
    const accepted = new Map<string, number>();
    let refused = 0;
    // Down: alternately 503 and a dropped connection (which may have delivered, so resends look first).
    const platform = (channel: 'slack' | 'sms'): Transport => ({
      channel,
      send: async (m) => {
        if (t.clock() < T0 + OUTAGE) {
          refused += 1;
          return refused % 2
            ? { ok: false, kind: 'transient', reason: 'http_503' }
            : { ok: false, kind: 'transient', reason: 'network', maybeDelivered: false };
        }
        accepted.set(m.id, (accepted.get(m.id) ?? 0) + 1);
        return { ok: true };
      },
    });
    const relay = createRelay({
      ctx: t.ctx,
      transports: new TransportRegistry([platform('slack'), platform('sms')]),
      rateLimits: false,
      batchSize: 500,
    });
    const repo = new OutboxRepository(db);
    for (let i = 0; i < URGENT; i++) {
      const sms = i % 2 === 0;
      await repo.enqueue({
        id: `u-${i}`,
        idempotencyKey: outboxKey({ recipient: `r-${i}`, purpose: 'urgent', period: 'soak' }),
        channel: sms ? 'sms' : 'slack',
        recipientKind: sms ? 'guardian' : 'staff',
        recipientId: `r-${i}`,
        address: sms ? `+1555010${String(i).padStart(4, '0')}` : `D${i}`,
        purpose: sms ? 'sms:crisis_reply' : 'staff:escalation_new',
        locale: 'en',
        payload: { key: 'test.urgent' },
        urgent: true,
        createdAt: T0 + i * 1_000,
      });
    }
    let rounds = 0;
    while (t.clock() < T0 + OUTAGE + 2 * HOUR) {
      await relay.runOnce();
      rounds += 1;
      t.clock.advance(MIN);
    }
    const counts = await repo.countByStatus();
    const sentAfter = (await repo.list({ status: 'sent', limit: URGENT })).map(
      (r) => r.sentAt! - (T0 + OUTAGE),
    );
    figure('outage', {
      urgent: URGENT,
      outageHours: OUTAGE / HOUR,
      refusedAttempts: refused,
      delivered: accepted.size,
      dead: counts.dead,
      doubled: [...accepted.values()].filter((n) => n > 1).length,
      lastDeliveredMinutesAfterReturn: Math.round(Math.max(...sentAfter) / MIN),
      relayRounds: rounds,
    });
    expect(counts.dead).toBe(0);
    expect(accepted.size).toBe(URGENT);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    expect(Math.max(...sentAfter)).toBeLessThanOrEqual(6 * MIN);
  });
});
