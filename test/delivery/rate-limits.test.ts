import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  DEFAULT_RATE_LIMITS,
  RateLimiter,
  RateLimits,
  rateLimitsFrom,
} from '../../src/delivery/rate-limits.js';
import { createRelay } from '../../src/delivery/relay.js';
import { type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import type { OutboxRow } from '../../src/store/repositories/outbox.js';
import type { Channel } from '../../src/store/schema/index.js';
import { openTestStore } from '../helpers/engines.js';
import { enqueue, message, seedGuardian, testContext } from './helpers.js';

const T0 = Date.parse('2026-11-24T18:00:00Z'); // noon in Chicago

describe('token buckets', () => {
  it('a message that must wait keeps its token in every bucket it needs, and its turn costs no second one', () => {
    const rl = new RateLimiter({
      teams: { perSender: { perSecond: 1, burst: 2 }, perConversation: { perSecond: 1, burst: 1 } },
    });
    expect(rl.reserve('teams', 's', 'c1', 0, { id: 'a' })).toBe(0);
    expect(rl.reserve('teams', 's', 'c1', 0, { id: 'b' })).toBe(1000); // conversation empty
    expect(rl.reserve('teams', 's', 'c2', 0, { id: 'c' })).toBe(1000); // b holds the sender's second token
    expect(rl.reserve('teams', 's', 'c1', 500, { id: 'b' })).toBe(500); // b's turn has not come
    expect(rl.reserve('teams', 's', 'c1', 1000, { id: 'b' })).toBe(0);
    expect(rl.reserve('teams', 's', 'c2', 1000, { id: 'c' })).toBe(0);
    expect(rl.reserve('teams', 's', 'c3', 1000, { id: 'd' })).toBe(1000); // behind b and c
  });
});

describe('rate limits under a burst (default platform limits)', () => {
  async function burst(
    channel: Channel,
    addresses: string[],
    seconds: number,
    options: { rateLimits?: RateLimits; senderOf?: (row: OutboxRow) => string } = {},
  ) {
    const db = await openTestStore();
    const t = testContext(db, T0);
    const sends: Array<{ at: number; address: string }> = [];
    const transport: Transport = {
      channel,
      send: async (m) => {
        sends.push({ at: t.clock(), address: m.address });
        return { ok: true };
      },
    };
    const relay = createRelay({
      ctx: t.ctx,
      transports: new TransportRegistry([transport]),
      batchSize: 500,
      ...options,
    });
    for (const [i, address] of addresses.entries()) {
      if (channel === 'sms') await seedGuardian(db, `g-${i}`, 'America/Chicago');
      await enqueue(
        db,
        message({
          createdAt: T0,
          channel,
          address,
          ...(channel === 'sms' ? { recipientKind: 'guardian' as const, recipientId: `g-${i}` } : {}),
        }),
      );
    }
    let held = 0;
    for (let ms = 0; ms < seconds * 1000; ms += 100) {
      t.clock.set(T0 + ms);
      held += (await relay.runOnce()).held;
    }
    return { sends, held };
  }

  function maxInWindow(times: number[], windowMs: number): number {
    return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));
  }

  it('Twilio long code: one text per second from the sender, the rest stay pending (not failed)', async () => {
    const { sends, held } = await burst(
      'sms',
      Array.from({ length: 20 }, (_, i) => `+1555010${String(i).padStart(4, '0')}`),
      10,
    );
    expect(held).toBeGreaterThan(0);
    expect(sends).toHaveLength(10);
    expect(
      maxInWindow(
        sends.map((s) => s.at),
        1000,
      ),
    ).toBe(1);
  });

  it('Slack: one message per second per channel, channels independent', async () => {
    const { sends } = await burst('slack', [...Array(10).fill('C1'), ...Array(10).fill('C2')], 3);
    for (const c of ['C1', 'C2']) {
      const times = sends.filter((s) => s.address === c).map((s) => s.at);
      expect(times).toHaveLength(3);
      expect(maxInWindow(times, 1000)).toBe(1);
    }
  });

  it('Teams: seven messages per second per conversation', async () => {
    const { sends } = await burst('teams', Array(30).fill('conv-1'), 2);
    expect(
      maxInWindow(
        sends.map((s) => s.at),
        1000,
      ),
    ).toBeLessThanOrEqual(7);
    expect(sends.length).toBeGreaterThanOrEqual(8);
  });

  it('Teams: forty messages per second over the whole tenant, whatever the conversations', async () => {
    const chats = Array.from({ length: 200 }, (_, i) => `a:chat-${i}`);
    const { sends } = await burst('teams', chats, 3);
    const times = sends.map((s) => s.at);
    expect(maxInWindow(times, 1000)).toBe(40);
    expect(sends.length).toBeGreaterThanOrEqual(100);
    expect(sends.length).toBeLessThanOrEqual(120);
    // The admin's setting (RATE_LIMIT_TEAMS_TENANT_PER_SECOND) replaces the default.
    const slower = await burst('teams', chats, 3, {
      rateLimits: rateLimitsFrom({ teams: { tenantPerSecond: 10 } }),
    });
    expect(
      maxInWindow(
        slower.sends.map((s) => s.at),
        1000,
      ),
    ).toBe(10);
  });

  it('a Messaging Service with 3 numbers carries 3 texts a second, each recipient on one number', async () => {
    const phones = Array.from({ length: 30 }, (_, i) => `+1555020${String(i).padStart(4, '0')}`);
    const { sends } = await burst('sms', phones, 5, { rateLimits: rateLimitsFrom({ sms: { senders: 3 } }) });
    expect(sends).toHaveLength(15);
    expect(
      maxInWindow(
        sends.map((s) => s.at),
        1000,
      ),
    ).toBe(3);
    const single = await burst('sms', phones, 5, { rateLimits: rateLimitsFrom({}) });
    expect(single.sends).toHaveLength(5);
    // A recipient stays on its number: a second text to one phone waits for that number's bucket.
    const rl = new RateLimiter(rateLimitsFrom({ sms: { senders: 3 } }));
    expect(rl.reserve('sms', 'default', phones[0]!, T0)).toBe(0);
    expect(rl.reserve('sms', 'default', phones[0]!, T0)).toBe(1000);
  });

  it('distinct sending numbers (senderOf) each get their own bucket', async () => {
    const phones = Array.from({ length: 20 }, (_, i) => `+1555030${String(i).padStart(4, '0')}`);
    const { sends } = await burst('sms', phones, 3, {
      senderOf: (row) => (Number(row.address.slice(-1)) % 2 === 0 ? '+15550009000' : '+15550009001'),
    });
    expect(sends).toHaveLength(6);
    expect(
      maxInWindow(
        sends.map((s) => s.at),
        1000,
      ),
    ).toBe(2);
  });
});

describe('configurable rate limits', () => {
  it('lays the admin overrides over the platform defaults, per channel scope', () => {
    expect(rateLimitsFrom()).toEqual(DEFAULT_RATE_LIMITS);
    const limits = rateLimitsFrom({
      sms: { perSecond: 10, senders: 4 },
      slack: { burst: 3 },
      teams: { perSecond: 2 },
    });
    expect(limits.sms).toEqual({ perSender: { perSecond: 10, burst: 1 }, senders: 4 });
    expect(limits.slack).toEqual({ perConversation: { perSecond: 1, burst: 3 } });
    expect(limits.teams).toEqual({
      perConversation: { perSecond: 2, burst: 1 },
      perTenant: { perSecond: 40, burst: 1 },
    });
    expect(rateLimitsFrom({ teams: { tenantPerSecond: 20 } }).teams).toEqual({
      perConversation: { perSecond: 7, burst: 1 },
      perTenant: { perSecond: 20, burst: 1 },
    });
    expect(DEFAULT_RATE_LIMITS.sms).toEqual({ perSender: { perSecond: 1, burst: 1 } });
    expect(RateLimits.safeParse(limits).success).toBe(true);
  });

  it('reads the Teams tenant-wide limit from RATE_LIMIT_TEAMS_TENANT_PER_SECOND, and refuses a bad value by name', () => {
    expect(loadConfig({ RATE_LIMIT_TEAMS_TENANT_PER_SECOND: '20' }).rateLimits).toEqual({
      teams: { tenantPerSecond: 20 },
    });
    expect(() => loadConfig({ RATE_LIMIT_TEAMS_TENANT_PER_SECOND: '0' })).toThrow(
      'RATE_LIMIT_TEAMS_TENANT_PER_SECOND: must be a number greater than 0',
    );
  });
});
