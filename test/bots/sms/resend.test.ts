import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/delivery/transport.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { openTestStore } from '../../helpers/engines.js';
import { useScriptedApi } from '../../helpers/msw.js';
import { MESSAGES_URL, queueFamilyText, seedFamily, smsContext, textedBefore } from './helpers.js';
import { fakeTwilio, smsRelay } from './relay-helpers.js';

const PHONE = '+15550100001';
const BODY = 'How is Ana this week?';

const api = fakeTwilio();
/** What the Messages list answers (newest first), and the query strings it was asked with. */
const listed: Array<{ sid: string; body: string; direction?: string }> = [];
const queries: URLSearchParams[] = [];
let listFails = false;
const list = http.get(MESSAGES_URL, ({ request }) => {
  const url = new URL(request.url);
  queries.push(url.searchParams);
  if (listFails) return HttpResponse.json({ code: 20500, message: 'error' }, { status: 500 });
  return HttpResponse.json({
    messages: listed.map((m) => ({
      sid: m.sid,
      body: m.body,
      to: PHONE,
      direction: m.direction ?? 'outbound-api',
      status: 'delivered',
      date_sent: 'Tue, 24 Nov 2026 16:00:01 +0000',
    })),
    end: listed.length,
    first_page_uri: url.pathname,
    next_page_uri: null,
    page: 0,
    page_size: 20,
    previous_page_uri: null,
    start: 0,
    uri: url.pathname,
  });
});
useScriptedApi(api, list);
afterEach(() => {
  listed.length = 0;
  queries.length = 0;
  listFails = false;
});

async function setup() {
  const db = await openTestStore();
  const t = smsContext(db);
  await seedFamily(db, [{ id: 'g-1', phone: PHONE }]);
  await textedBefore(db, 'g-1', PHONE);
  const id = (await queueFamilyText(db, 'g-1', PHONE, {
    id: 'o-1',
    idempotencyKey: 'checkin|g-1|q1',
    body: BODY,
    createdAt: t.clock(),
  }))!;
  const message = (uncertain: boolean): OutboundMessage => ({
    id,
    idempotencyKey: 'checkin|g-1|q1',
    channel: 'sms',
    recipientId: 'g-1',
    address: PHONE,
    locale: 'en',
    payload: { key: 'family.thanks' },
    body: BODY,
    urgent: false,
    uncertain,
  });
  return { ...t, message, outbox: new OutboxRepository(db), ...smsRelay(t.ctx, t.sms) };
}

describe('resending a text whose earlier attempt may have reached Twilio', () => {
  it('finds the earlier copy by number, time and body, and does not send again', async () => {
    const t = await setup();
    listed.push({ sid: 'SMinbound', body: BODY, direction: 'inbound' }, { sid: 'SMearlier', body: BODY });
    const result = await t.transport.send(t.message(true));
    expect(result).toEqual({ ok: true, providerMessageId: 'SMearlier' });
    expect(api.requests).toHaveLength(0);
    expect(queries[0]!.get('To')).toBe(PHONE);
    expect(queries[0]!.get('DateSent>')).toBe('2026-11-24T16:00:00Z');
  });

  it('sends when no copy with that body is found, or the copy belongs to another outbox row', async () => {
    const t = await setup();
    listed.push({ sid: 'SMother', body: 'Another text' }, { sid: 'SMearlierg-1', body: BODY });
    // SMearlierg-1 is the provider id of the earlier week's row (textedBefore).
    const result = await t.transport.send(t.message(true));
    expect(result).toMatchObject({ ok: true, providerMessageId: expect.stringMatching(/^SM0/) });
    expect(api.requests).toHaveLength(1);
  });

  it('sends when the look-up itself fails (a rare duplicate rather than a lost text)', async () => {
    const t = await setup();
    listFails = true;
    const result = await t.transport.send(t.message(true));
    expect(result.ok).toBe(true);
    expect(api.requests).toHaveLength(1);
  });

  it('does not look anything up for an ordinary send', async () => {
    const t = await setup();
    await t.transport.send(t.message(false));
    expect(queries).toHaveLength(0);
    expect(api.requests).toHaveLength(1);
  });
});

describe('a send that failed without an answer may have reached Twilio', () => {
  it('a network error is maybeDelivered; the retry finds the copy Twilio took and does not send again', async () => {
    const t = await setup();
    api.script.push('network');
    expect(await t.transport.send(t.message(false))).toMatchObject({
      ok: false,
      kind: 'transient',
      maybeDelivered: true,
    });

    const u = await setup();
    api.requests.length = 0;
    api.script.push('network');
    expect((await u.relay.runOnce()).retried).toBe(1);
    // Twilio had taken the text before the connection broke.
    listed.push({ sid: 'SMtaken', body: BODY });
    u.clock.advance(3_600_000);
    await u.relay.runOnce();
    expect(api.requests).toHaveLength(1);
    expect(queries).toHaveLength(1);
    expect(await u.outbox.get('o-1')).toMatchObject({ status: 'sent', providerMessageId: 'SMtaken' });
  });
});
