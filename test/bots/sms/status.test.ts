import { describe, expect, it } from 'vitest';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { openTestStore } from '../../helpers/engines.js';
import {
  ACCOUNT_SID,
  PUBLIC_BASE_URL,
  queueFamilyText,
  seedFamily,
  sign,
  smsContext,
  useSmsServer,
} from './helpers.js';

const STATUS_URL = `${PUBLIC_BASE_URL}/sms/status`;
const startServer = useSmsServer();

async function setup() {
  const db = await openTestStore();
  const t = smsContext(db);
  await seedFamily(db, [{ id: 'g-1', phone: '+15550100001' }]);
  const server = await startServer(t.ctx, { sms: t.sms, continueFamilyDialog: () => undefined });
  const outbox = new OutboxRepository(db);
  /** A text the relay has handed to Twilio as `sid`. */
  const sent = async (sid: string) => {
    const id = (await queueFamilyText(db, 'g-1', '+15550100001', {
      id: `o-${sid}`,
      idempotencyKey: `k-${sid}`,
      body: 'hi',
      createdAt: t.clock(),
    }))!;
    await outbox.markSent(id, t.clock(), sid);
    t.clock.advance(1000);
    return id;
  };
  const callback = async (sid: string, status: string, errorCode?: string) => {
    const params: Record<string, string> = {
      AccountSid: ACCOUNT_SID,
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: status,
      SmsStatus: status,
      To: '+15550100001',
      ...(errorCode ? { ErrorCode: errorCode } : {}),
    };
    const res = await server.post('/sms/status', params, { 'x-twilio-signature': sign(STATUS_URL, params) });
    t.clock.advance(1000);
    return res.status;
  };
  return { db, ...t, server, outbox, sent, callback, roster: new RosterRepository(db) };
}

describe('POST /sms/status', () => {
  it('moves forward only: a late "sent" never overwrites "delivered"', async () => {
    const t = await setup();
    const id = await t.sent('SMa');
    expect(await t.callback('SMa', 'queued')).toBe(200);
    await t.callback('SMa', 'delivered');
    await t.callback('SMa', 'sent');
    await t.callback('SMa', 'sending');
    expect(await t.outbox.get(id)).toMatchObject({ providerStatus: 'delivered', status: 'delivered' });
  });

  it('a final failure is not replaced by a later "delivered", and records the error code', async () => {
    const t = await setup();
    const id = await t.sent('SMb');
    await t.callback('SMb', 'undelivered', '30003');
    await t.callback('SMb', 'delivered');
    expect(await t.outbox.get(id)).toMatchObject({
      providerStatus: 'undelivered',
      status: 'failed',
      lastError: 'provider:30003',
    });
  });

  it('in order: queued, sending, sent, delivered', async () => {
    const t = await setup();
    const id = await t.sent('SMc');
    for (const s of ['queued', 'sending', 'sent']) {
      await t.callback('SMc', s);
      expect((await t.outbox.get(id))?.providerStatus).toBe(s);
    }
    await t.callback('SMc', 'delivered');
    expect((await t.outbox.get(id))?.providerStatus).toBe('delivered');
  });

  it('rejects an unsigned or forged callback with 403 and changes nothing', async () => {
    const t = await setup();
    const id = await t.sent('SMd');
    const params = { MessageSid: 'SMd', MessageStatus: 'failed' };
    expect((await t.server.post('/sms/status', params)).status).toBe(403);
    const wrongUrl = { 'x-twilio-signature': sign(`${PUBLIC_BASE_URL}/sms/inbound`, params) };
    expect((await t.server.post('/sms/status', params, wrongUrl)).status).toBe(403);
    expect((await t.outbox.get(id))?.providerStatus).toBe('accepted');
  });

  it('three undeliverable results in a row (30003/30005/30006) mark the family unreachable', async () => {
    const t = await setup();
    for (const [sid, code] of [
      ['SM1', '30003'],
      ['SM2', '30005'],
    ]) {
      await t.sent(sid!);
      await t.callback(sid!, 'undelivered', code);
    }
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');
    await t.sent('SM3');
    await t.callback('SM3', 'failed', '30006');
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('unreachable');
  });

  it('a delivered text breaks the streak, and carrier filtering (30007) does not count', async () => {
    const t = await setup();
    await t.sent('SM1');
    await t.callback('SM1', 'undelivered', '30003');
    await t.sent('SM2');
    await t.callback('SM2', 'undelivered', '30003');
    await t.sent('SM3');
    await t.callback('SM3', 'delivered');
    await t.sent('SM4');
    await t.callback('SM4', 'undelivered', '30007');
    await t.sent('SM5');
    await t.callback('SM5', 'undelivered', '30003');
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');
  });
});
