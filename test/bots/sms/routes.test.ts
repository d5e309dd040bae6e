import twilio from 'twilio';
import { describe, expect, it, vi } from 'vitest';
import { InboundEventRepository } from '../../../src/store/repositories/inbound.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { openTestStore } from '../../helpers/engines.js';
import {
  activeCheckin,
  inboundParams,
  PUBLIC_BASE_URL,
  seedFamily,
  sign,
  smsContext,
  useSmsServer,
} from './helpers.js';

const INBOUND_URL = `${PUBLIC_BASE_URL}/sms/inbound`;

describe("Twilio's published signature test vectors", () => {
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  // The current docs (webhooks security) use Caller/From +12349013030; older docs used +14158675309.
  it('validates the current docs example', () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    expect(twilio.validateRequest('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params)).toBe(true);
    expect(
      twilio.validateRequest('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, { ...params, Digits: '1235' }),
    ).toBe(false);
  });
  it('validates the older docs example', () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    };
    expect(twilio.validateRequest('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(true);
    expect(twilio.validateRequest('54321', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(false);
  });
});

describe('POST /sms/inbound signature check (real route, real HTTP)', () => {
  const startServer = useSmsServer();

  async function setup() {
    const db = await openTestStore();
    const { ctx, sms } = smsContext(db);
    await seedFamily(db, [{ id: 'g-1', phone: '+15550100001' }]);
    await activeCheckin(db, 'g-1');
    const dialog: string[] = [];
    let failures = 0;
    const server = await startServer(ctx, {
      sms,
      continueFamilyDialog: (id, text) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('database is locked');
        }
        dialog.push(`${id}:${text}`);
      },
    });
    const recorded = async () => (await new InboundEventRepository(db).get('sms', 'SM1')) !== undefined;
    return { db, server, dialog, recorded, failNext: () => (failures += 1) };
  }

  const params = inboundParams('+15550100001', 'good', 'SM1');

  it('accepts a valid signature, hands the text to the dialog, then answers empty TwiML', async () => {
    const { server, dialog, recorded } = await setup();
    const res = await server.post('/sms/inbound', params, {
      'x-twilio-signature': sign(INBOUND_URL, params),
    });
    // Handled before the answer: no waiting for background work.
    expect(dialog).toEqual(['g-1:good']);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/xml/);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await recorded()).toBe(true);
  });

  it('a handler failure answers 500 and forgets the MessageSid, so the retry is processed once', async () => {
    const { db, server, dialog, recorded, failNext } = await setup();
    const headers = { 'x-twilio-signature': sign(INBOUND_URL, params) };
    failNext();
    const failed = await server.post('/sms/inbound', params, headers);
    expect(failed.status).toBe(500);
    expect(await recorded()).toBe(false);
    expect(dialog).toEqual([]);
    const retried = await server.post('/sms/inbound', params, headers);
    expect(retried.status).toBe(200);
    const again = await server.post('/sms/inbound', params, headers);
    expect(again.status).toBe(200);
    expect(dialog).toEqual(['g-1:good']);
    expect((await new InboundEventRepository(db).get('sms', 'SM1'))?.status).toBe('processed');
  });

  it('a STOP whose handling failed is not lost: the retry opts the number out', async () => {
    const { db, server } = await setup();
    const stop = inboundParams('+15550100001', 'STOP', 'SMstop');
    const headers = { 'x-twilio-signature': sign(INBOUND_URL, stop) };
    // The first delivery fails inside the handler (the database is briefly unavailable).
    const roster = new RosterRepository(db);
    const original = roster.guardiansByPhone.bind(roster);
    let broken = true;
    const spy = vi.spyOn(RosterRepository.prototype, 'guardiansByPhone').mockImplementation(function (
      this: RosterRepository,
      e164: string,
    ) {
      if (broken) {
        broken = false;
        throw new Error('SQLITE_BUSY');
      }
      return original(e164);
    });
    expect((await server.post('/sms/inbound', stop, headers)).status).toBe(500);
    expect((await server.post('/sms/inbound', stop, headers)).status).toBe(200);
    spy.mockRestore();
    expect((await roster.guardian('g-1'))?.smsStatus).toBe('opted_out');
  });

  const forged: Array<[string, () => Record<string, string>]> = [
    ['a missing header', () => ({})],
    ['a changed parameter', () => ({ 'x-twilio-signature': sign(INBOUND_URL, { ...params, Body: 'STOP' }) })],
    [
      'http instead of https',
      () => ({ 'x-twilio-signature': sign(INBOUND_URL.replace('https:', 'http:'), params) }),
    ],
    [
      'a port added',
      () => ({ 'x-twilio-signature': sign('https://checkins.example.org:8443/sms/inbound', params) }),
    ],
    ['a query string changed', () => ({ 'x-twilio-signature': sign(`${INBOUND_URL}?x=1`, params) })],
    [
      'a valid signature for another URL',
      () => ({ 'x-twilio-signature': sign(`${PUBLIC_BASE_URL}/sms/status`, params) }),
    ],
    ['another auth token', () => ({ 'x-twilio-signature': sign(INBOUND_URL, params, 'other-token') })],
  ];
  for (const [name, headers] of forged) {
    it(`rejects ${name} with 403 and records nothing`, async () => {
      const { db, server, dialog, recorded } = await setup();
      const res = await server.post('/sms/inbound', params, headers());
      expect(res.status).toBe(403);
      await server.idle();
      expect(await recorded()).toBe(false);
      expect(dialog).toEqual([]);
      expect(await new OutboxRepository(db).list()).toEqual([]);
    });
  }

  it('ignores the Host header: a signature over the URL the request was sent to is refused', async () => {
    const { server, recorded } = await setup();
    const local = `${server.base}/sms/inbound`;
    const res = await server.post('/sms/inbound', params, { 'x-twilio-signature': sign(local, params) });
    expect(res.status).toBe(403);
    expect(await recorded()).toBe(false);
  });

  it('accepts the default port written out (:443), as Twilio may sign either form', async () => {
    const { server, recorded } = await setup();
    const res = await server.post('/sms/inbound', params, {
      'x-twilio-signature': sign('https://checkins.example.org:443/sms/inbound', params),
    });
    expect(res.status).toBe(200);
    await server.idle();
    expect(await recorded()).toBe(true);
  });

  it('records a MessageSid once when the same request arrives twice in sequence', async () => {
    const { db, server, dialog } = await setup();
    const headers = { 'x-twilio-signature': sign(INBOUND_URL, params) };
    expect((await server.post('/sms/inbound', params, headers)).status).toBe(200);
    expect((await server.post('/sms/inbound', params, headers)).status).toBe(200);
    await server.idle();
    expect(dialog).toEqual(['g-1:good']);
    expect((await new InboundEventRepository(db).get('sms', 'SM1'))?.status).toBe('processed');
  });

  it('records a MessageSid once when two copies arrive at the same moment', async () => {
    const { server, dialog } = await setup();
    const headers = { 'x-twilio-signature': sign(INBOUND_URL, params) };
    const [a, b] = await Promise.all([
      server.post('/sms/inbound', params, headers),
      server.post('/sms/inbound', params, headers),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await server.idle();
    expect(dialog).toEqual(['g-1:good']);
  });

  it('refuses a body over 16 kB before looking at it', async () => {
    const { server, recorded } = await setup();
    const big = { ...params, Body: 'x'.repeat(20_000) };
    const res = await server.post('/sms/inbound', big, { 'x-twilio-signature': sign(INBOUND_URL, big) });
    expect(res.status).toBe(413);
    expect(await recorded()).toBe(false);
  });
});
