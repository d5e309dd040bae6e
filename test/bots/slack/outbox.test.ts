import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createRelay } from '../../../src/delivery/relay.js';
import { TransportRegistry } from '../../../src/delivery/transport.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import {
  calls,
  clickWithoutCard,
  DM,
  eventBody,
  FORM,
  JSON_TYPE,
  NAV_USER,
  NOW,
  post,
  responders,
  say,
  send,
  slashBody,
  useSlackHarness,
} from './harness.js';

const h = useSlackHarness();

const rows = async (purpose: string) =>
  (await new OutboxRepository(h.ctx.db).list()).filter((r) => r.purpose === purpose);
const homeOpened = () => eventBody({ type: 'app_home_opened', user: NAV_USER, channel: DM, tab: 'home' });
/** Sends a request and waits for the work after the acknowledgement, without running the relay. */
async function sendAndSettle(body: string, type: string) {
  const res = await send(h, body, type);
  await h.slack.settled();
  return res;
}

describe('short replies in the DM go through the outbox', () => {
  it('"no check-in in progress" is queued for the navigator and sent by the relay', async () => {
    await say(h, 'hello');
    const [row] = await rows('slack:reply');
    expect(row).toMatchObject({
      channel: 'slack',
      recipientKind: 'staff',
      recipientId: 'nav-1',
      address: NAV_USER,
      status: 'sent',
    });
    const sent = calls.filter((c) => c.method === 'chat.postMessage');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.args).toMatchObject({ channel: NAV_USER });
    expect(String(sent[0]!.args.text)).toContain('No check-in is in progress');
  });

  it('"not in roster" for a stranger typing in the DM is queued too (no staff row: the Slack id stands in)', async () => {
    await post(
      h,
      eventBody({
        type: 'message',
        channel_type: 'im',
        channel: DM,
        user: 'U0STRANGER',
        text: 'hi',
        ts: '9.9',
      }),
      JSON_TYPE,
    );
    expect((await rows('slack:reply'))[0]).toMatchObject({
      recipientId: 'slack:U0STRANGER',
      address: 'U0STRANGER',
    });
    expect(String(calls.find((c) => c.method === 'chat.postMessage')?.args.text)).toContain(
      "couldn't find you",
    );
  });

  it('ephemeral replies to a click stay direct: they belong to the interaction', async () => {
    await clickWithoutCard(h, { sid: 'gone', step: 'old', c: '1' }, '77.1');
    const ephemeral = calls.find((c) => c.method === 'chat.postEphemeral');
    expect(String(ephemeral?.args.text)).toContain('That question has moved on');
    expect(await rows('slack:reply')).toEqual([]);
  });
});

describe('App Home goes through the outbox', () => {
  it('is rendered when the relay sends it, so changes made while it waited are shown, in one publish', async () => {
    await sendAndSettle(homeOpened(), JSON_TYPE);
    await sendAndSettle(slashBody('ooo 2026-12-21 2026-12-31'), FORM);
    expect(await rows('slack:home')).toHaveLength(1); // the second change found a publish still waiting
    expect(calls.filter((c) => c.method === 'views.publish')).toEqual([]);
    await h.relay.runOnce();
    const published = calls.filter((c) => c.method === 'views.publish');
    expect(published).toHaveLength(1);
    expect(published[0]!.args.user_id).toBe(NAV_USER);
    expect(JSON.stringify(published[0]!.args.view)).toContain('On from 2026-12-21 to 2026-12-31');
    expect((await rows('slack:home'))[0]).toMatchObject({
      status: 'sent',
      recipientKind: 'staff',
      recipientId: 'nav-1',
    });

    await post(h, homeOpened(), JSON_TYPE); // after it was sent, a new change queues a new publish
    expect(await rows('slack:home')).toHaveLength(2);
    expect(calls.filter((c) => c.method === 'views.publish')).toHaveLength(2);
  });

  it('a publish does not break the check-in card updated in place', async () => {
    await sendAndSettle(slashBody(''), FORM);
    await h.relay.runOnce();
    await sendAndSettle(homeOpened(), JSON_TYPE);
    await h.relay.runOnce();
    await say(h, '1');
    const last = calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update').at(-1);
    expect(last?.method).toBe('chat.update');
  });
});

describe('a 429 from chat.postMessage, end to end through the relay', () => {
  it('moves the row 30 s later (Retry-After) and sends it on the next round after the clock advances', async () => {
    await sendAndSettle(slashBody(''), FORM);
    const relay = createRelay({ ctx: h.ctx, transports: new TransportRegistry([h.slack.transport]) });
    let first = true;
    responders.set('chat.postMessage', () => {
      if (first) {
        first = false;
        return new HttpResponse(null, { status: 429, headers: { 'Retry-After': '30' } });
      }
      return { ok: true, channel: DM, ts: '1764000000.000100' };
    });
    expect((await rows('checkin:navigator')).length).toBeGreaterThan(0);

    const round1 = await relay.runOnce();
    expect(round1).toMatchObject({ retried: 1, sent: 0 });
    const tried = (await new OutboxRepository(h.ctx.db).list()).filter((r) => r.attempts > 0);
    expect(tried).toHaveLength(1); // the rest of the conversation waits behind it
    const card = tried[0]!;
    expect(card).toMatchObject({ purpose: 'checkin:navigator', status: 'pending', notBefore: NOW + 30_000 });
    expect(card.lastError).toContain('ratelimited');

    h.ctx.clock.advance(29_999);
    expect((await relay.runOnce()).claimed).toBe(0);
    h.ctx.clock.advance(1);
    await relay.runOnce();
    expect(await new OutboxRepository(h.ctx.db).get(card.id)).toMatchObject({
      status: 'sent',
      attempts: 2,
      providerMessageId: `${DM}:1764000000.000100`,
    });
    expect(calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);
  });
});
