import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Relay } from '../../src/delivery/relay.js';
import { HEARTBEAT_MS } from '../../src/services/service-instances.js';
import { inboundParams, PUBLIC_BASE_URL, queueFamilyText, sign } from '../bots/sms/helpers.js';
import { SKIP_MESSAGE, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { FAMILIES, fakeTwilioAt, guardianPhone, type TwilioSend, twoInstances } from './fixture.js';

// Two instances of the service on one PostgreSQL database, driven side by side on one injected clock: the work
// they share (timers, the outbox, Twilio's webhooks, the platform's send rate) is done once between them.

const INBOUND_URL = `${PUBLIC_BASE_URL}/sms/inbound`;
/** Tuesday 17:00 in Chicago, when the week's family check-ins fire, plus a minute. */
const FAMILY_CHECKIN_DUE = Date.parse('2026-11-24T23:01:00Z');

// The instances' HTTP servers are called over loopback with fetch as it was before msw patched it.
const directFetch = globalThis.fetch;

let now = () => 0;
const twilio = fakeTwilioAt(() => now());
const server = setupServer(
  twilio.handler,
  http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()),
);

type Pair = Awaited<ReturnType<typeof twoInstances>>;
const opened: Pair[] = [];

async function open(env: Record<string, string> = {}): Promise<Pair> {
  const pair = await twoInstances(env);
  opened.push(pair);
  now = pair.clock;
  return pair;
}

/** Rounds of both relays at once until neither claims anything, `stepMs` of clock between rounds. */
async function drain(relays: Relay[], clock: { advance(ms: number): void }, stepMs: number): Promise<number> {
  let rounds = 0;
  for (; rounds < 2_000; rounds++) {
    const results = await Promise.all(relays.map((r) => r.runOnce()));
    if (results.every((r) => r.claimed === 0)) {
      // Held rows wait for their turn: look once more a step later before calling the outbox empty.
      clock.advance(stepMs);
      if ((await Promise.all(relays.map((r) => r.runOnce()))).every((r) => r.claimed === 0)) break;
    }
    clock.advance(stepMs);
  }
  return rounds;
}

/** The most sends in any one-second window of the clock, and where that window starts. */
function busiestSecond(sends: TwilioSend[]): { count: number; from: number } {
  const times = sends.map((s) => s.at).sort((x, y) => x - y);
  let best = { count: 0, from: 0 };
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= 1_000) lo++;
    if (hi - lo + 1 > best.count) best = { count: hi - lo + 1, from: times[lo]! };
  }
  return best;
}

const duplicates = (keys: string[]) => keys.filter((k, i) => keys.indexOf(k) !== i);

const suite = TEST_DATABASE_URL ? describe : describe.skip;
const title = TEST_DATABASE_URL
  ? 'two service instances on one PostgreSQL database'
  : `two service instances on one PostgreSQL database — ${SKIP_MESSAGE}`;

suite(title, () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    twilio.sends.length = 0;
  });
  afterAll(async () => {
    server.close();
    for (const pair of opened.splice(0)) await pair.close();
  });

  it('the weekly fan-out: planned, fired and sent once between the two', { timeout: 60_000 }, async () => {
    // A generous rate, so the check is about duplicates, not pacing.
    const { a, b, clock, query } = await open({ RATE_LIMIT_SMS_PER_SECOND: '100' });
    await Promise.all([a.service.instances.beat(), b.service.instances.beat()]);

    // Every instance plans at start; the hourly planning goes to one of them.
    await Promise.all([a.service.scheduler.planUpcoming(), b.service.scheduler.planUpcoming()]);
    const hourly = await Promise.all([
      a.service.scheduler.planThisHour(),
      b.service.scheduler.planThisHour(),
    ]);
    expect(hourly.filter((p) => p !== null)).toHaveLength(1);

    const timers = await query<{ unique_key: string; kind: string }>('select unique_key, kind from timers');
    expect(duplicates(timers.map((t) => t.unique_key))).toEqual([]);
    const familyCheckins = timers.filter((t) => t.kind === 'family_checkin');
    // This week and the next.
    expect(familyCheckins).toHaveLength(2 * FAMILIES);

    clock.set(FAMILY_CHECKIN_DUE);
    const ticks = await Promise.all([a.service.scheduler.tick(), b.service.scheduler.tick()]);
    const fired = ticks.map((rounds) => rounds.reduce((n, r) => n + r.fired, 0));
    const sessions = await query<{ participant_id: string; n: number }>(
      `select participant_id, count(*)::int as n from dialog_sessions
       where kind = 'family' and period = '2026-W48' group by participant_id`,
    );
    expect(sessions).toHaveLength(FAMILIES);
    expect(sessions.filter((s) => s.n !== 1)).toEqual([]);
    const due = await query<{ status: string; n: number }>(
      `select status, count(*)::int as n from timers where fire_at <= $1 group by status order by status`,
      [FAMILY_CHECKIN_DUE],
    );
    expect(due.filter((d) => d.status === 'pending' || d.status === 'claimed')).toEqual([]);

    const rounds = await drain([a.service.relay, b.service.relay], clock, 1_000);
    const outbox = await query<{ status: string; channel: string; address: string; body: string }>(
      'select status, channel, address, body from outbox',
    );
    const sms = outbox.filter((r) => r.channel === 'sms');
    const sent = sms.filter((r) => r.status === 'sent');
    console.info(
      `fan-out: ${timers.length} timers (${familyCheckins.length} family check-ins), fired ${fired.join(' + ')}, ` +
        `${sms.length} SMS outbox rows (${sent.length} sent) in ${rounds} relay rounds, ` +
        `${twilio.sends.length} Twilio creates; statuses ${JSON.stringify(count(outbox.map((r) => `${r.channel}:${r.status}`)))}`,
    );
    expect(sms.filter((r) => r.status === 'pending' || r.status === 'sending')).toEqual([]);
    expect(sent.length).toBeGreaterThanOrEqual(FAMILIES);
    expect(twilio.sends).toHaveLength(sent.length);
    expect(duplicates(twilio.sends.map((s) => `${s.to}|${s.body}`))).toEqual([]);
    expect(new Set(twilio.sends.map((s) => s.to)).size).toBe(FAMILIES);
  });

  it('an inbound burst, with retries landing on the other instance, is recorded once per MessageSid', {
    timeout: 60_000,
  }, async () => {
    const { a, b, query } = await open();
    const instances = [a, b];
    const statuses: number[] = [];
    const post = async (to: number, sid: string, from: string, body: string) => {
      const params = inboundParams(from, body, sid);
      // Twilio retries a webhook that failed; a retry may land on either instance.
      for (let attempt = 0; attempt < 5; attempt++) {
        const res = await directFetch(`${instances[(to + attempt) % 2]!.base}/sms/inbound`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': sign(INBOUND_URL, params),
          },
          body: new URLSearchParams(params).toString(),
        });
        await res.text();
        statuses.push(res.status);
        if (res.status === 200) return;
      }
      throw new Error(`${sid} never accepted`);
    };

    const TEXTS = 200;
    const batch = 20;
    for (let start = 0; start < TEXTS; start += batch) {
      const posts: Promise<void>[] = [];
      for (let i = start; i < start + batch; i++) {
        const sid = `SM${String(i).padStart(32, '0')}`;
        const from = guardianPhone(i % FAMILIES);
        const body = `Update ${i} from the family`;
        posts.push(post(i % 2, sid, from, body));
        // Twilio's retry of the same webhook, reaching the other instance at the same time.
        if (i % 5 === 0) posts.push(post((i + 1) % 2, sid, from, body));
      }
      await Promise.all(posts);
    }

    const texts = await query<{ event_id: string; n: number }>(
      'select event_id, count(*)::int as n from family_texts group by event_id',
    );
    console.info(
      `inbound: ${statuses.length} posts, statuses ${JSON.stringify(count(statuses.map(String)))}, ` +
        `${texts.length} distinct MessageSids in family_texts, ${texts.reduce((n, t) => n + t.n, 0)} rows`,
    );
    expect(texts.reduce((n, t) => n + t.n, 0)).toBe(TEXTS);
    expect(texts.filter((t) => t.n !== 1)).toEqual([]);
  });

  it('sends across both instances within the configured rate; one instance alone sends at the full rate', {
    timeout: 180_000,
  }, async () => {
    const RATE = 10;
    const { a, b, clock, query } = await open({
      RATE_LIMIT_SMS_PER_SECOND: String(RATE),
      RATE_LIMIT_SMS_BURST: '1',
    });
    const beatBoth = async () => {
      await Promise.all([a.service.instances.beat(), b.service.instances.beat()]);
      // The second beat of each sees the other's first.
      return Promise.all([a.service.instances.beat(), b.service.instances.beat()]);
    };
    expect(await beatBoth()).toEqual([2, 2]);

    const queue = async (label: string, perFamily: number) => {
      for (let k = 0; k < perFamily; k++)
        for (let i = 0; i < FAMILIES; i++)
          await queueFamilyText(a.ctx.db, `G${2000 + i}`, guardianPhone(i), {
            id: `${label}-${k}-${i}`,
            idempotencyKey: `${label}|${k}|${i}`,
            body: `Note ${label} ${k} for family ${i}`,
            createdAt: clock(),
          });
      return perFamily * FAMILIES;
    };
    /** Relay rounds every 100 ms of clock until the outbox is empty, beating every HEARTBEAT_MS. */
    const pace = async (relays: Relay[], beat: () => Promise<unknown>) => {
      const from = clock();
      let lastBeat = from;
      for (let step = 0; step < 5_000; step++) {
        if (clock() - lastBeat >= HEARTBEAT_MS) {
          await beat();
          lastBeat = clock();
        }
        const rounds = await Promise.all(relays.map((r) => r.runOnce()));
        if (rounds.every((r) => r.claimed === 0)) {
          const [left] = await query<{ n: number }>(
            `select count(*)::int as n from outbox where status in ('pending', 'sending')`,
          );
          if (left?.n === 0) break;
        }
        clock.advance(100);
      }
      return clock() - from;
    };

    const shared = await queue('shared', 5);
    const sharedMs = await pace([a.service.relay, b.service.relay], beatBoth);
    const sharedSends = [...twilio.sends];
    const sharedBusiest = busiestSecond(sharedSends);

    // One instance leaves: the other, alone on the heartbeat, takes the whole rate.
    await b.service.instances.stop();
    expect(await a.service.instances.beat()).toBe(1);
    twilio.sends.length = 0;
    const alone = await queue('alone', 2);
    const aloneMs = await pace([a.service.relay], () => a.service.instances.beat());
    const aloneSends = [...twilio.sends];
    const aloneBusiest = busiestSecond(aloneSends);

    console.info(
      `rate ${RATE}/s burst 1: two instances sent ${sharedSends.length} (${shared} + ${FAMILIES} consent notices) in ${sharedMs} ms ` +
        `(busiest second ${sharedBusiest.count}); one instance sent ${aloneSends.length}/${alone} in ${aloneMs} ms ` +
        `(busiest second ${aloneBusiest.count})`,
    );
    const outbox = await query<{ status: string; n: number }>(
      'select status, count(*)::int as n from outbox group by status',
    );
    // Each family's first text is preceded by the consent notice, sent like any other text.
    const notices = await query<{ n: number }>(
      `select count(*)::int as n from outbox where purpose = 'sms:consent_notice'`,
    );
    expect(notices).toEqual([{ n: FAMILIES }]);
    expect(outbox).toEqual([{ status: 'sent', n: shared + alone + FAMILIES }]);

    expect(sharedSends).toHaveLength(shared + FAMILIES);
    // Shares are not a waste: a row held for its turn stays with the relay that reserved it, so the two
    // together send at most of the rate (clock time, not wall time).
    expect(sharedSends.length / (sharedMs / 1000)).toBeGreaterThan(RATE * 0.6);
    expect(duplicates(sharedSends.map((s) => `${s.to}|${s.body}`))).toEqual([]);
    expect(sharedBusiest.count).toBeLessThanOrEqual(RATE + 2);

    expect(aloneSends).toHaveLength(alone);
    expect(duplicates(aloneSends.map((s) => `${s.to}|${s.body}`))).toEqual([]);
    expect(aloneBusiest.count).toBeLessThanOrEqual(RATE + 1);
    expect(aloneBusiest.count).toBeGreaterThanOrEqual(RATE - 1);
    expect(aloneMs).toBeLessThan(((alone / RATE) * 1_000) / 0.7);
  });
});

function count(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
