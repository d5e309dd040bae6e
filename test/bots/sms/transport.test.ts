import { describe, expect, it } from 'vitest';
import { classifyTwilioError } from '../../../src/bots/sms/transport.js';
import { ConsentRepository } from '../../../src/store/repositories/consents.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { openTestStore } from '../../helpers/engines.js';
import { useScriptedApi } from '../../helpers/msw.js';
import {
  MESSAGING_SERVICE_SID,
  PUBLIC_BASE_URL,
  queueFamilyText,
  START,
  seedFamily,
  smsContext,
  textedBefore,
} from './helpers.js';
import { fakeTwilio, smsRelay } from './relay-helpers.js';

const api = fakeTwilio();
useScriptedApi(api);

const PHONE = '+15550100001';

async function setup(env: Record<string, string> = {}) {
  const db = await openTestStore();
  const t = smsContext(db, env);
  await seedFamily(db, [{ id: 'g-1', phone: PHONE }]);
  await textedBefore(db, 'g-1', PHONE);
  const outbox = new OutboxRepository(db);
  const queue = async (step: string, body = 'How is Ana this week?') =>
    (await queueFamilyText(db, 'g-1', PHONE, {
      id: `o-${step}`,
      idempotencyKey: `checkin|g-1|${step}`,
      body,
      createdAt: t.clock(),
    }))!;
  return { db, ...t, outbox, queue, roster: new RosterRepository(db), ...smsRelay(t.ctx, t.sms) };
}

describe('Twilio transport (real SDK, msw for the REST API)', () => {
  it('sends from the Messaging Service with a status callback to PUBLIC_BASE_URL/sms/status', async () => {
    const t = await setup();
    const id = await t.queue('q1');
    const round = await t.relay.runOnce();
    expect(round.sent).toBe(1);
    expect(api.requests[0]).toMatchObject({
      To: PHONE,
      MessagingServiceSid: MESSAGING_SERVICE_SID,
      StatusCallback: `${PUBLIC_BASE_URL}/sms/status`,
    });
    expect(api.requests[0]!.From).toBeUndefined();
    const row = (await t.outbox.get(id))!;
    expect(row.status).toBe('sent');
    expect(row.providerMessageId).toMatch(/^SM/);
  });

  it('sends from the from-number when no Messaging Service is configured', async () => {
    const t = await setup({ TWILIO_MESSAGING_SERVICE_SID: '', TWILIO_FROM_NUMBER: '+15005550006' });
    await t.queue('q1');
    await t.relay.runOnce();
    expect(api.requests[0]).toMatchObject({ From: '+15005550006' });
    expect(api.requests[0]!.MessagingServiceSid).toBeUndefined();
  });

  it('429 is transient and its Retry-After is honoured', async () => {
    const t = await setup();
    const id = await t.queue('q1');
    api.script.push({
      status: 429,
      body: { code: 20429, message: 'Too Many Requests' },
      headers: { 'Retry-After': '120' },
    });
    const round = await t.relay.runOnce();
    expect(round.retried).toBe(1);
    const row = (await t.outbox.get(id))!;
    expect(row.status).toBe('pending');
    expect(row.notBefore).toBeGreaterThanOrEqual(t.clock() + 120_000);
    expect(row.lastError).toContain('rate_limited');
  });

  it('500 is transient: retried later, then sent', async () => {
    const t = await setup();
    const id = await t.queue('q1');
    api.script.push({ status: 500, body: { code: 20500, message: 'Internal Server Error' } });
    expect((await t.relay.runOnce()).retried).toBe(1);
    t.clock.advance(60 * 60_000);
    expect((await t.relay.runOnce()).sent).toBe(1);
    expect(api.requests).toHaveLength(2);
    expect((await t.outbox.get(id))?.status).toBe('sent');
  });

  it('a network failure is transient', async () => {
    const t = await setup();
    await t.queue('q1');
    api.script.push('network');
    expect((await t.relay.runOnce()).retried).toBe(1);
  });

  it('21610 (the number sent STOP to the carrier) is permanent and opts the family out', async () => {
    const t = await setup();
    const id = await t.queue('q1');
    api.script.push({
      status: 400,
      body: { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
    });
    expect((await t.relay.runOnce()).failed).toBe(1);
    expect(await t.outbox.get(id)).toMatchObject({ status: 'failed', lastError: '21610:unsubscribed' });
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('opted_out');
    expect(await new ConsentRepository(t.db).latest('g-1')).toMatchObject({
      status: 'revoked',
      source: 'carrier_block',
    });
    await t.queue('q2');
    await t.relay.runOnce();
    expect(api.requests).toHaveLength(1);
  });

  it('21211 (invalid number) and 21614 (not a mobile) are permanent and mark the number invalid', async () => {
    for (const code of [21211, 21614]) {
      const t = await setup();
      const id = await t.queue('q1');
      api.script.push({ status: 400, body: { code, message: 'bad To' } });
      expect((await t.relay.runOnce()).failed).toBe(1);
      expect((await t.outbox.get(id))?.lastError).toContain(String(code));
      expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('invalid');
    }
  });

  it('another 4xx is permanent and changes nothing about the family', async () => {
    const t = await setup();
    await t.queue('q1');
    api.script.push({ status: 400, body: { code: 21602, message: 'Message body is required' } });
    expect((await t.relay.runOnce()).failed).toBe(1);
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');
  });

  it('stores encoding and segments of what was sent: 160/161 GSM-7, 70/71 UCS-2, emoji, €', async () => {
    const t = await setup();
    const cases: Array<[string, string, number]> = [
      ['a'.repeat(160), 'GSM-7', 1],
      ['a'.repeat(161), 'GSM-7', 2],
      ['ж'.repeat(70), 'UCS-2', 1],
      ['ж'.repeat(71), 'UCS-2', 2],
      ['Thanks 🙂', 'UCS-2', 1],
      ['€'.repeat(80), 'GSM-7', 1],
      ['€'.repeat(81), 'GSM-7', 2],
    ];
    // The first text carries the consent notice; send one before measuring.
    await t.queue('warmup', 'hi');
    await t.relay.runOnce();
    for (const [i, [body]] of cases.entries()) await t.queue(`c${i}`, body);
    await t.relay.runOnce();
    for (const [i, [, encoding, segments]] of cases.entries())
      expect(await t.outbox.get(`o-c${i}`), `case ${i}`).toMatchObject({
        encoding,
        segments,
        status: 'sent',
      });
  });
});

describe('classifyTwilioError: may Twilio have taken the text?', () => {
  const now = START;
  it('a timeout or a broken connection without an answer: maybe (the next attempt looks first)', () => {
    const timeout = Object.assign(new Error('timeout of 30000ms exceeded'), { code: 'ECONNABORTED' });
    expect(classifyTwilioError(timeout, undefined, now)).toMatchObject({
      kind: 'transient',
      reason: 'timeout',
      maybeDelivered: true,
    });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyTwilioError(reset, undefined, now)).toMatchObject({
      reason: 'network',
      maybeDelivered: true,
    });
    const wrapped = Object.assign(new Error('fetch failed'), { cause: { code: 'ETIMEDOUT' } });
    expect(classifyTwilioError(wrapped, undefined, now)).toMatchObject({
      reason: 'timeout',
      maybeDelivered: true,
    });
  });

  it('a connection never made, or an HTTP error answer: Twilio did not take it', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
      const err = Object.assign(new Error('connect failed'), { code });
      const result = classifyTwilioError(err, undefined, now);
      expect(result).toMatchObject({ kind: 'transient', reason: 'network' });
      expect(result).not.toHaveProperty('maybeDelivered');
    }
    for (const status of [503, 429, 401, 400]) {
      const result = classifyTwilioError({ status, code: 20500 }, undefined, now);
      expect(result).not.toHaveProperty('maybeDelivered');
    }
  });
});
