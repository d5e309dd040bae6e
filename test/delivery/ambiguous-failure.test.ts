import { describe, expect, it } from 'vitest';
import { createRelay } from '../../src/delivery/relay.js';
import { type SendResult, type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { MAYBE_DELIVERED_PREFIX, OutboxRepository } from '../../src/store/repositories/outbox.js';
import { openTestStore } from '../helpers/engines.js';
import { enqueue, message, testContext } from './helpers.js';

const T0 = Date.parse('2026-11-23T15:00:00Z');
const TIMEOUT: SendResult = { ok: false, kind: 'transient', reason: 'timeout', maybeDelivered: true };
const HTTP_503: SendResult = { ok: false, kind: 'transient', reason: 'http_503' };

/** A relay over a transport that answers from `script` (then accepts) and records `uncertain` per attempt. */
async function setup(script: Array<SendResult | Error>) {
  const db = await openTestStore();
  const t = testContext(db, T0);
  const uncertain: Array<boolean | undefined> = [];
  const local: Transport = {
    channel: 'local',
    send: async (m) => {
      uncertain.push(m.uncertain);
      const next = script.shift();
      if (next instanceof Error) throw next;
      return next ?? { ok: true, providerMessageId: 'L1' };
    },
  };
  const relay = createRelay({
    ctx: t.ctx,
    transports: new TransportRegistry([local]),
    rateLimits: false,
    random: () => 0,
    maxAttempts: 3,
  });
  const id = await enqueue(db, message({ createdAt: T0, channel: 'local' }));
  /** Runs rounds (the clock moving past each retry) until nothing is due any more. */
  const drain = async () => {
    for (let i = 0; i < 5; i++) {
      await relay.runOnce();
      t.clock.advance(60_000);
    }
  };
  return { ...t, repo: new OutboxRepository(db), relay, id, uncertain, drain };
}

describe('an ambiguous failure makes every later attempt look for an earlier copy', () => {
  it('a timeout (maybeDelivered) is remembered on the row and passed as uncertain on the next attempt', async () => {
    const s = await setup([TIMEOUT]);
    expect(await s.relay.runOnce()).toMatchObject({ retried: 1 });
    expect(await s.repo.get(s.id)).toMatchObject({
      status: 'pending',
      lastError: `${MAYBE_DELIVERED_PREFIX}timeout`,
    });
    s.clock.advance(60_000);
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(s.uncertain).toEqual([false, true]);
    expect(await s.repo.get(s.id)).toMatchObject({ status: 'sent', lastError: null });
    expect(s.logLines.some((l) => l.includes('may have been delivered'))).toBe(true);
  });

  it('stays uncertain after a later plain failure: the first copy may still be out there', async () => {
    const s = await setup([TIMEOUT, HTTP_503]);
    await s.drain();
    expect(s.uncertain).toEqual([false, true, true]);
    expect((await s.repo.get(s.id))!.status).toBe('sent');
  });

  it('a plain transient failure (an HTTP error answer) does not make the resend uncertain', async () => {
    const s = await setup([HTTP_503]);
    await s.drain();
    expect(s.uncertain).toEqual([false, false]);
  });

  it('a transport that throws may have sent: the next attempt is uncertain', async () => {
    const s = await setup([new Error('socket hang up')]);
    await s.drain();
    expect(s.uncertain).toEqual([false, true]);
  });

  it('a dead uncertain row keeps the mark, so an admin retry looks first too', async () => {
    const s = await setup([TIMEOUT, HTTP_503, HTTP_503]);
    await s.drain();
    expect(await s.repo.get(s.id)).toMatchObject({
      status: 'dead',
      lastError: `${MAYBE_DELIVERED_PREFIX}http_503`,
    });
    expect(await s.repo.retry(s.id, s.clock())).toBe(true);
    await s.drain();
    expect(s.uncertain).toEqual([false, true, true, true]);
  });
});
