import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSmsTransport } from '../../src/app.js';
import { handleInboundSms, type InboundSmsDeps } from '../../src/bots/sms/inbound.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { URGENT_BACKOFF } from '../../src/delivery/backoff.js';
import { createRelay } from '../../src/delivery/relay.js';
import { TransportRegistry } from '../../src/delivery/transport.js';
import { createTexts } from '../../src/i18n/index.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { FamilySmsService } from '../../src/services/family-sms.js';
import { REPLY_PURPOSE } from '../../src/sms/consent.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { seedFamily } from '../bots/sms/helpers.js';
import { type CreatedText, MESSAGES_URL, TWILIO_ENV, TWILIO_START } from '../delivery/fixtures/twilio-api.js';
import { openTestStore } from '../helpers/engines.js';
import { figure } from './figures.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const FAMILIES = 30;
const OUTAGE = 6 * HOUR;
const CRISIS_WORDS = ['my daughter wants to kill herself', 'por favor ayuda, no tenemos comida'];

// Twilio as the production transport meets it: the real SDK over HTTP, msw answering for api.twilio.com.
// During the outage every create and every look-up is refused, alternately with a 5xx and a dropped
// connection (which the transport must treat as "may have been delivered"). After it, the first create for
// every third number is accepted and then its connection dropped: the resend must find that copy, not send
// a second one.
const now = fixedClock(TWILIO_START);
const created: CreatedText[] = [];
const takenThenDropped = new Set<string>();
let refused = 0;
let lookups = 0;
const down = () => now() < TWILIO_START + OUTAGE;
const outage = () => {
  refused += 1;
  if (refused % 3 === 0) return HttpResponse.error();
  return HttpResponse.json(
    { code: 20500, message: 'Service Unavailable', status: refused % 3 === 1 ? 503 : 500 },
    { status: refused % 3 === 1 ? 503 : 500 },
  );
};
const server = setupServer(
  http.post(MESSAGES_URL, async ({ request }) => {
    if (down()) return outage();
    const form = new URLSearchParams(await request.text());
    const to = form.get('To') ?? '';
    const text = { sid: `SM${String(created.length).padStart(32, '0')}`, to, body: form.get('Body') ?? '' };
    created.push(text);
    if (Number(to.slice(-2)) % 3 === 0 && !takenThenDropped.has(to)) {
      takenThenDropped.add(to);
      return HttpResponse.error();
    }
    return HttpResponse.json({ ...text, status: 'queued', direction: 'outbound-api' }, { status: 201 });
  }),
  http.get(MESSAGES_URL, ({ request }) => {
    lookups += 1;
    if (down()) return outage();
    const url = new URL(request.url);
    const messages = created
      .filter((m) => m.to === url.searchParams.get('To'))
      .map((m) => ({
        ...m,
        direction: 'outbound-api',
        status: 'delivered',
        date_sent: new Date(now()).toUTCString(),
      }));
    return HttpResponse.json({
      messages,
      end: messages.length,
      first_page_uri: url.pathname,
      next_page_uri: null,
      page: 0,
      page_size: 50,
      previous_page_uri: null,
      start: 0,
      uri: url.pathname,
    });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('a 6-hour Twilio outage, through the production transport', () => {
  it('every crisis reply reaches its family once after Twilio returns; none is dead', async () => {
    const db = await openTestStore();
    const logger = createLogger({ level: 'silent' });
    const ctx: AppContext = {
      config: loadConfig({ ...TWILIO_ENV, LOG_LEVEL: 'silent' }),
      db,
      logger,
      clock: now,
      ids: sequentialIds('out'),
    };
    const sms = new FamilySmsService(ctx, createTexts({ defaultLocale: 'en', logger }));
    const phone = (i: number) => `+155501${String(i).padStart(5, '0')}`;
    await seedFamily(
      db,
      Array.from({ length: FAMILIES }, (_, i) => ({ id: `g-${i}`, phone: phone(i) })),
    );
    const deps: InboundSmsDeps = {
      sms,
      continueFamilyDialog: () => ({ ok: true, applied: { answers: 0 } }),
      carrierHandlesOptOut: true,
    };
    const relay = createRelay({
      ctx,
      transports: new TransportRegistry([twilioSmsTransport(ctx, ctx.config.twilio!, sms)]),
      rateLimits: false,
    });
    const outbox = new OutboxRepository(db);
    // The families write in during the outage, spread over its first hours: each reply meets a dead provider.
    let rounds = 0;
    const start = Date.now();
    while (now() < TWILIO_START + OUTAGE + HOUR) {
      const minute = Math.round((now() - TWILIO_START) / MIN);
      if (minute % 6 === 0 && minute / 6 < FAMILIES) {
        const i = minute / 6;
        const outcome = await handleInboundSms(ctx, deps, {
          from: phone(i),
          body: CRISIS_WORDS[i % 2]!,
          messageSid: `SMin${i}`,
        });
        expect(outcome.action).toBe('crisis');
      }
      await relay.runOnce();
      rounds += 1;
      now.advance(MIN);
    }
    const replies = (await outbox.list({ limit: 10_000 })).filter((r) => r.purpose === REPLY_PURPOSE.crisis);
    const byNumber = new Map<string, number>();
    for (const c of created) byNumber.set(c.to, (byNumber.get(c.to) ?? 0) + 1);
    const counts = await outbox.countByStatus();
    const lastSent = Math.max(...replies.map((r) => r.sentAt ?? Number.POSITIVE_INFINITY));
    figure('outage-twilio', {
      crisisReplies: replies.length,
      outageHours: OUTAGE / HOUR,
      refusedRequests: refused,
      lookups,
      takenThenDropped: takenThenDropped.size,
      delivered: byNumber.size,
      duplicates: created.length - byNumber.size,
      dead: counts.dead,
      lastSentMinutesAfterReturn: Math.round((lastSent - (TWILIO_START + OUTAGE)) / MIN),
      relayRounds: rounds,
      wallMs: Date.now() - start,
    });
    expect(replies).toHaveLength(FAMILIES);
    expect(replies.every((r) => r.urgent && r.status === 'sent')).toBe(true);
    expect(counts.dead).toBe(0);
    expect(counts.failed).toBe(0);
    // Every family got exactly one text, the crisis reply's words, even those whose first copy was taken
    // by Twilio behind a dropped connection.
    expect(byNumber.size).toBe(FAMILIES);
    expect([...byNumber.values()].every((n) => n === 1)).toBe(true);
    expect(refused).toBeGreaterThan(FAMILIES * 10);
    expect(takenThenDropped.size).toBeGreaterThan(0);
    // The last refused try can have set a full capped wait, and a copy taken behind a dropped connection
    // waits once more (full jitter, up to the cap again) before its look-up finds it; plus a relay round each.
    // Beyond that, a reply still waiting would mean the relay stopped pacing urgent rows by the cap.
    expect(lastSent).toBeLessThanOrEqual(TWILIO_START + OUTAGE + 2 * (URGENT_BACKOFF.capMs + MIN));
    await db.close();
  });
});
