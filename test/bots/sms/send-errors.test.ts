import { describe, expect, it } from 'vitest';
import { createTwilioTransport } from '../../../src/bots/sms/transport.js';
import { createRelay } from '../../../src/delivery/relay.js';
import { TransportRegistry } from '../../../src/delivery/transport.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { openTestStore } from '../../helpers/engines.js';
import { useScriptedApi } from '../../helpers/msw.js';
import { queueFamilyText, seedFamily, smsContext, textedBefore } from './helpers.js';
import { fakeTwilio, smsRelay } from './relay-helpers.js';

const api = fakeTwilio();
useScriptedApi(api);

const OLD_PHONE = '+15550100001';
const NEW_PHONE = '+15550100002';
const STRANGER = '+15550100999';

async function setup() {
  const db = await openTestStore();
  const t = smsContext(db);
  await seedFamily(db, [{ id: 'g-1', phone: OLD_PHONE }]);
  await textedBefore(db, 'g-1', OLD_PHONE);
  const roster = new RosterRepository(db);
  const outbox = new OutboxRepository(db);
  const queue = async (step: string, address: string) =>
    (await queueFamilyText(db, 'g-1', address, {
      id: `o-${step}`,
      idempotencyKey: `checkin|g-1|${step}`,
      body: 'How is Ana this week?',
      createdAt: t.clock(),
    }))!;
  /** The family gives the school a new number while a text to the old one waits. */
  const changePhone = () =>
    roster.upsertGuardian(
      { id: 'g-1', name: 'Guardian g-1', phone: NEW_PHONE, locale: 'en', timezone: 'America/Chicago' },
      { actor: 'test', at: t.clock() },
    );
  return { db, ...t, roster, outbox, queue, changePhone, ...smsRelay(t.ctx, t.sms) };
}

const refused = (code: number) => ({ status: 400, body: { code, message: 'refused' } });

describe("a permanent send error concerns the number the text went to, not the guardian's current one", () => {
  it('21610 on the old number lists the old number; the guardian at the new number is still texted', async () => {
    const t = await setup();
    const old = await t.queue('q1', OLD_PHONE);
    await t.changePhone();
    api.script.push(refused(21610));
    await t.relay.runOnce();
    expect((await t.outbox.get(old))?.status).toBe('failed');
    expect(await t.sms.phoneOptedOut(OLD_PHONE)).toBe(true);
    expect(await t.sms.phoneOptedOut(NEW_PHONE)).toBe(false);
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');
    await textedBefore(t.db, 'g-1', NEW_PHONE);
    const next = await t.queue('q2', NEW_PHONE);
    await t.relay.runOnce();
    expect(api.requests.map((r) => r.To)).toEqual([OLD_PHONE, NEW_PHONE]);
    expect((await t.outbox.get(next))?.providerMessageId).toMatch(/^SM/);
  });

  it('21211 on the old number does not mark the guardian at a new number invalid', async () => {
    const t = await setup();
    await t.queue('q1', OLD_PHONE);
    await t.changePhone();
    api.script.push(refused(21211));
    await t.relay.runOnce();
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');

    const u = await setup();
    await u.queue('q1', OLD_PHONE);
    api.script.push(refused(21211));
    await u.relay.runOnce();
    expect((await u.roster.guardian('g-1'))?.smsStatus).toBe('invalid');
  });

  it('21610 on a reply to a number no guardian has still puts that number on the list', async () => {
    const t = await setup();
    await t.sms.enqueueReply(t.db, {
      address: STRANGER,
      locale: 'en',
      purpose: 'sms:unknown_number',
      payload: { key: 'family.unknown_number' },
      urgent: false,
      period: 'day',
    });
    api.script.push(refused(21610));
    await t.relay.runOnce();
    expect(await t.sms.phoneOptedOut(STRANGER)).toBe(true);
    expect(await t.sms.phoneOptedOut(OLD_PHONE)).toBe(false);
    await seedFamily(t.db, [{ id: 'g-2', phone: STRANGER }]);
    expect(await t.sms.blockFor('g-2', { urgent: false, replyToInbound: false })).toBe('sms:opted_out');
  });
});

describe('a failure while recording what the error says', () => {
  it('ends the send permanently and logs the error by name only, never its message', async () => {
    const t = await setup();
    const id = await t.queue('q1', OLD_PHONE);
    const transport = createTwilioTransport(t.ctx.config.twilio!, t.ctx.logger, {
      clock: t.ctx.clock,
      prepare: (m) => t.sms.prepareOutbound(m),
      onPermanentError: (m) => {
        // What a failed query looks like: its message carries the parameters.
        throw Object.assign(new Error(`Failed query: insert ... params: ${m.address},carrier_block`), {
          name: 'DrizzleQueryError',
        });
      },
    });
    const relay = createRelay({
      ctx: t.ctx,
      transports: new TransportRegistry([transport]),
      rateLimits: false,
    });
    api.script.push(refused(21610));
    await relay.runOnce();
    expect(await t.outbox.get(id)).toMatchObject({ status: 'failed' });
    const logs = t.logLines.join('\n');
    expect(logs).toContain('DrizzleQueryError');
    expect(logs).not.toContain('0100001');
    expect(logs).not.toContain('Failed query');
  });
});
