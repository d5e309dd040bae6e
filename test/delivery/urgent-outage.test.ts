import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createDeadLetterAlert, DEAD_LETTER_PURPOSE } from '../../src/delivery/dead-letter.js';
import { createRelay } from '../../src/delivery/relay.js';
import { type SendResult, type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { createUrgentFallback, URGENT_FALLBACK_PURPOSE } from '../../src/delivery/urgent-fallback.js';
import type { Clock } from '../../src/lib/clock.js';
import { closeServer, createHttpApp, listen } from '../../src/server.js';
import { type Db, engineOf } from '../../src/store/db.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import type { StaffRow } from '../../src/store/repositories/roster.js';
import type { Channel } from '../../src/store/schema/index.js';
import { openTestStore } from '../helpers/engines.js';
import { tablesOf } from '../helpers/tables.js';
import { enqueue, message, seedSchool, testContext } from './helpers.js';

const T0 = Date.parse('2026-11-24T18:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DOWN: SendResult = { ok: false, kind: 'transient', reason: 'http_503' };

async function seedStaff(db: Db, id: string, role: StaffRow['role'], extra: Partial<StaffRow> = {}) {
  await engineOf(db)
    .insert(tablesOf(db).staff)
    .values({
      id,
      name: `Name ${id}`,
      email: `${id}@example.org`,
      role,
      timezone: 'America/Chicago',
      createdAt: 0,
      updatedAt: 0,
      ...extra,
    });
}

/** A platform that is down until `upAt` on the injected clock, then accepts; counts what it accepted. */
function platform(channel: Channel, clock: Clock, upAt: number) {
  const accepted: string[] = [];
  const transport: Transport = {
    channel,
    send: async (m) => {
      if (clock() < upAt) return DOWN;
      accepted.push(m.id);
      return { ok: true, providerMessageId: `P${accepted.length}` };
    },
  };
  return { accepted, transport };
}

/** Slack for everyone with a Slack id, the simulator ('local') for the rest: two routes. */
const route = (s: StaffRow) =>
  s.slackUserId
    ? { channel: 'slack' as const, address: s.slackUserId }
    : { channel: 'local' as const, address: s.id };

async function setup(upAfterMs: number, urgentRetryMs?: number) {
  const db = await openTestStore();
  await seedSchool(db, 'lincoln', 'America/Chicago');
  await seedStaff(db, 'c-1', 'counselor', { schoolId: 'lincoln', slackUserId: 'U1' });
  await seedStaff(db, 'c-2', 'counselor', { schoolId: 'lincoln', slackUserId: 'U2' });
  await seedStaff(db, 'lead-1', 'lead_navigator', { schoolId: 'lincoln' });
  await seedStaff(db, 'admin-1', 'admin', { slackUserId: 'UA' });
  const t = testContext(db, T0);
  const slack = platform('slack', t.clock, T0 + upAfterMs);
  const sms = platform('sms', t.clock, T0 + upAfterMs);
  const local = platform('local', t.clock, 0);
  const relay = createRelay({
    ctx: t.ctx,
    transports: new TransportRegistry([slack.transport, sms.transport, local.transport]),
    rateLimits: false,
    // Fixed jitter: which of two messages dies first must not depend on chance.
    random: () => 0.5,
    ...(urgentRetryMs ? { urgentRetryMs } : {}),
    onDead: createDeadLetterAlert(t.ctx, { route }),
    onUrgentFailing: createUrgentFallback(t.ctx, { route }),
  });
  const repo = new OutboxRepository(db);
  return { ...t, db, relay, repo, slack, sms, local };
}

async function urgentMessages(db: Db) {
  const notice = await enqueue(
    db,
    message({
      createdAt: T0,
      channel: 'slack',
      recipientId: 'c-1',
      address: 'U1',
      purpose: 'staff:escalation_new',
      origin: { escalationId: 'e-1' },
      urgent: true,
    }),
  );
  const crisisReply = await enqueue(
    db,
    message({
      createdAt: T0,
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: 'g-1',
      address: '+15550100001',
      purpose: 'sms:crisis_reply',
      body: 'If you are in danger call 911',
      urgent: true,
    }),
  );
  return { notice, crisisReply };
}

describe('urgent messages never die quietly', () => {
  it('/healthz shows the failing channel and the urgent messages waiting', async () => {
    const s = await setup(6 * HOUR);
    await urgentMessages(s.db);
    const server = await listen(
      createHttpApp(s.ctx, [], { delivery: () => s.relay.health() }),
      0,
      '127.0.0.1',
    );
    const health = async () =>
      (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`)).json();
    try {
      expect(await health()).toMatchObject({ status: 'ok', delivery: { ok: true, urgentWaiting: 0 } });
      await s.relay.runOnce();
      expect(await health()).toMatchObject({
        status: 'degraded',
        delivery: {
          ok: false,
          urgentWaiting: 2,
          failingChannels: expect.arrayContaining([
            expect.objectContaining({ channel: 'slack', failures: 1 }),
          ]),
        },
      });
    } finally {
      await closeServer(server);
    }
  });

  it('Slack and Twilio down for 6 hours: every urgent message is delivered once they return, none dead', async () => {
    const s = await setup(6 * HOUR);
    const { notice, crisisReply } = await urgentMessages(s.db);
    let healthDuringOutage: ReturnType<typeof s.relay.health> | undefined;
    while (s.clock() < T0 + 7 * HOUR) {
      await s.relay.runOnce();
      if (s.clock() >= T0 + 3 * HOUR && !healthDuringOutage) healthDuringOutage = s.relay.health();
      s.clock.advance(MIN);
    }
    expect(await s.repo.get(notice)).toMatchObject({ status: 'sent' });
    expect(await s.repo.get(crisisReply)).toMatchObject({ status: 'sent' });
    expect((await s.repo.get(notice))!.attempts).toBeGreaterThan(8);
    expect(s.slack.accepted.filter((id) => id === notice)).toHaveLength(1);
    expect(s.sms.accepted.filter((id) => id === crisisReply)).toHaveLength(1);
    expect((await s.repo.countByStatus()).dead).toBe(0);

    // The outage was visible: both channels failing, both urgent messages waiting.
    expect(healthDuringOutage).toMatchObject({ ok: false, urgentWaiting: 2 });
    expect(healthDuringOutage!.failingChannels.map((f) => f.channel).sort()).toEqual(['slack', 'sms']);
    expect(s.relay.health()).toEqual({ ok: true, failingChannels: [], urgentWaiting: 0 });
    // Capped backoff: the notice left within 5 minutes of Slack's return.
    const sentAt = (await s.repo.get(notice))!.sentAt!;
    expect(sentAt - (T0 + 6 * HOUR)).toBeLessThanOrEqual(6 * MIN);
  });

  it('after three failures the notice also goes to the lead navigator by another route, once', async () => {
    const s = await setup(6 * HOUR);
    await urgentMessages(s.db);
    for (let i = 0; i < 120; i++) {
      await s.relay.runOnce();
      s.clock.advance(MIN);
    }
    const copies = (await s.repo.list({ limit: 100 })).filter((r) => r.purpose === URGENT_FALLBACK_PURPOSE);
    // c-2 is on Slack, the failing channel, and had the notice already: not copied. No staff phone: no SMS.
    expect(copies.map((r) => [r.recipientId, r.channel, r.status])).toEqual([['lead-1', 'local', 'sent']]);
    expect(copies[0]!.payload).toEqual({ key: 'test.hello' });
    expect(copies[0]!.origin).toEqual({ escalationId: 'e-1' });
    expect(s.logLines.some((l) => l.includes('sent by other routes'))).toBe(true);
  });

  it('dies only after its retry window, and the admin alert goes by another channel', async () => {
    const s = await setup(100 * HOUR, 2 * HOUR);
    await seedStaff(s.db, 'admin-2', 'admin');
    const { notice } = await urgentMessages(s.db);
    while (s.clock() < T0 + 3 * HOUR) {
      await s.relay.runOnce();
      s.clock.advance(MIN);
    }
    const dead = (await s.repo.get(notice))!;
    expect(dead.status).toBe('dead');
    expect(dead.updatedAt - T0).toBeGreaterThanOrEqual(2 * HOUR);
    // One alert reaches an admin, whichever message died first (a later death is counted into it, see
    // dead-letter.ts). admin-1 is reached on Slack only: never told of the Slack notice's death on Slack; told
    // of the SMS reply's death there only if that one died first (the two die in the same round, and on
    // PostgreSQL their relay rounds run side by side), and that copy cannot arrive while Slack is down.
    const alerts = (await s.repo.list({ limit: 100 })).filter((r) => r.purpose === DEAD_LETTER_PURPOSE);
    const delivered = alerts.filter((r) => r.status === 'sent');
    expect(delivered.map((r) => `${r.recipientId}:${r.channel}:${r.status}`)).toEqual(['admin-2:local:sent']);
    expect(alerts.filter((r) => r.status !== 'sent').map((r) => `${r.recipientId}:${r.channel}`)).toEqual(
      alerts.length > 1 ? ['admin-1:slack'] : [],
    );
  });

  it('says "admin alerted" only when an alert was queued to a reachable route', async () => {
    const s = await setup(100 * HOUR, HOUR);
    const { notice } = await urgentMessages(s.db);
    while (s.clock() < T0 + 2 * HOUR) {
      await s.relay.runOnce();
      s.clock.advance(MIN);
    }
    expect((await s.repo.get(notice))!.status).toBe('dead');
    const lines = s.logLines.filter((l) => l.includes(notice));
    expect(lines.some((l) => l.includes('admin alerted'))).toBe(false);
    expect(lines.some((l) => l.includes('no admin can be reached by another channel'))).toBe(true);
  });
});
