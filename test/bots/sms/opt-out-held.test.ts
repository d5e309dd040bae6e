import { describe, expect, it } from 'vitest';
import { handleInboundSms, type InboundSmsDeps } from '../../../src/bots/sms/inbound.js';
import { outboundMessageOf } from '../../../src/delivery/relay.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { openTestStore } from '../../helpers/engines.js';
import { useScriptedApi } from '../../helpers/msw.js';
import { queueFamilyText, seedFamily, smsContext, textedBefore } from './helpers.js';
import { fakeTwilio, smsRelay } from './relay-helpers.js';

const api = fakeTwilio();
useScriptedApi(api);

const PHONE = '+15550100001';
const STRANGER = '+15550100999';
/** Tuesday 22:00 in Chicago: inside quiet hours. */
const NIGHT = Date.parse('2026-11-25T04:00:00Z');
/** Wednesday 08:00 in Chicago: the window opens. */
const MORNING = Date.parse('2026-11-25T14:00:00Z');

async function setup() {
  const db = await openTestStore();
  const env = smsContext(db);
  await seedFamily(db, [{ id: 'g-1', phone: PHONE }]);
  const deps: InboundSmsDeps = { sms: env.sms, continueFamilyDialog: () => undefined };
  let n = 0;
  const text = (body: string, from: string) =>
    handleInboundSms(env.ctx, deps, { from, body, messageSid: `SMin${++n}` });
  const outbox = new OutboxRepository(db);
  /** The message the relay would hand the transport for an outbox row. */
  const outbound = async (id: string) => outboundMessageOf((await outbox.get(id))!);
  return { db, ...env, text, outbox, outbound, ...smsRelay(env.ctx, env.sms) };
}

describe('a reply held by quiet hours, then an opt-out', () => {
  it('an unknown number that says PARAR while its neutral reply waits is never texted', async () => {
    const t = await setup();
    t.clock.set(NIGHT);
    expect(await t.text('hola', STRANGER)).toMatchObject({ action: 'unknown_number', replies: 1 });
    // The reply waits: held by quiet hours, or (where replies are exempt) retried after a Twilio 503.
    api.script.push({ status: 503, body: { code: 20500, message: 'Service unavailable' } });
    await t.relay.runOnce();
    expect(await t.outbox.list({ status: 'pending' })).toHaveLength(1);
    const before = api.requests.length;
    t.clock.advance(60_000);
    expect(await t.text('PARAR', STRANGER)).toMatchObject({ action: 'opt_out' });
    t.clock.set(MORNING);
    await t.relay.runOnce();
    expect(api.requests).toHaveLength(before);
    expect(await t.outbox.list()).toEqual([
      expect.objectContaining({ status: 'cancelled', lastError: 'opted_out' }),
    ]);
  });

  it('a reply that escaped the cancel (being sent at the STOP) is refused at send time', async () => {
    const t = await setup();
    t.clock.set(NIGHT);
    const id = (await t.sms.enqueueReply(t.db, {
      address: STRANGER,
      locale: 'en',
      purpose: 'sms:unknown_number',
      payload: { key: 'family.unknown_number' },
      urgent: false,
      period: 'day',
    }))!;
    // Leased by a relay when the STOP arrives: not pending, so the opt-out does not cancel it.
    await t.outbox.claimDue(t.clock(), 'relay-a', 60_000, 10);
    expect(await t.outbox.markAttempt(id, 'relay-a', t.clock(), t.clock() + 60_000)).toBe(true);
    t.clock.advance(60_000);
    await t.db.transaction((tx) => t.sms.optOut(tx, [], 'sms_keyword', 'sms:unknown', undefined, STRANGER));
    expect((await t.outbox.get(id))?.status).toBe('sending');
    expect(await t.sms.prepareOutbound(await t.outbound(id))).toEqual({ ok: false, reason: 'sms:opted_out' });
  });

  it('HELP asked after the STOP is answered, and a crisis reply queued before it still goes out', async () => {
    const t = await setup();
    t.clock.set(NIGHT);
    const crisis = (await t.sms.enqueueReply(t.db, {
      address: STRANGER,
      locale: 'en',
      purpose: 'sms:crisis_reply',
      payload: { key: 'family.crisis' },
      urgent: true,
      period: 'SMcrisis',
    }))!;
    t.clock.advance(60_000);
    await t.text('STOP', STRANGER);
    expect((await t.outbox.get(crisis))?.status).toBe('pending');
    expect(await t.sms.prepareOutbound(await t.outbound(crisis))).toMatchObject({ ok: true });
    await seedFamily(t.db, [{ id: 'g-2', phone: STRANGER }]);
    t.clock.advance(60_000);
    expect(await t.text('HELP', STRANGER)).toMatchObject({ action: 'help', replies: 1 });
    const help = (await t.outbox.list()).find((r) => r.purpose === 'sms:help')!;
    expect(await t.sms.prepareOutbound(await t.outbound(help.id))).toMatchObject({ ok: true });
  });

  it("a guardian's STOP cancels texts queued to the number for anyone, keeping only the confirmation", async () => {
    const t = await setup();
    await textedBefore(t.db, 'g-1', PHONE);
    t.clock.set(NIGHT);
    // A reply queued to the number before it was on the roster (no guardian then).
    const neutral = (await t.sms.enqueueReply(t.db, {
      address: PHONE,
      locale: 'en',
      purpose: 'sms:unknown_number',
      payload: { key: 'family.unknown_number' },
      urgent: false,
      period: 'day',
    }))!;
    const checkin = (await queueFamilyText(t.db, 'g-1', PHONE, {
      id: 'chk-1',
      idempotencyKey: 'checkin|g-1|q1',
      body: 'How is Ana this week?',
      createdAt: t.clock(),
    }))!;
    t.clock.advance(60_000);
    expect(await t.text('STOP', PHONE)).toMatchObject({ action: 'opt_out', replies: 1 });
    expect((await t.outbox.get(neutral))?.status).toBe('cancelled');
    expect((await t.outbox.get(checkin))?.status).toBe('cancelled');
    t.clock.set(MORNING);
    await t.relay.runOnce();
    expect(api.requests.map((r) => r.Body)).toEqual([expect.stringContaining('Reply START')]);
    expect((await new RosterRepository(t.db).guardian('g-1'))?.smsStatus).toBe('opted_out');
  });
});
