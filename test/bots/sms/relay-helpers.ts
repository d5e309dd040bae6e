import { HttpResponse, http } from 'msw';
import { createTwilioTransport } from '../../../src/bots/sms/transport.js';
import type { AppContext } from '../../../src/context.js';
import { createRelay } from '../../../src/delivery/relay.js';
import { TransportRegistry } from '../../../src/delivery/transport.js';
import type { FamilySmsService } from '../../../src/services/family-sms.js';
import { MESSAGES_URL } from './helpers.js';

/** One request the fake Twilio REST API received (form fields). */
export type TwilioRequest = Record<string, string>;
/** What the fake API answers next; default 201 with a new SM sid. */
export type TwilioAnswer = { status: number; body?: object; headers?: Record<string, string> } | 'network';

/** msw handler for POST Messages.json: records each request, answers from `script`. */
export function fakeTwilio() {
  const requests: TwilioRequest[] = [];
  const script: TwilioAnswer[] = [];
  const handler = http.post(MESSAGES_URL, async ({ request }) => {
    const form = Object.fromEntries(new URLSearchParams(await request.text()));
    requests.push(form);
    const next = script.shift();
    if (next === 'network') return HttpResponse.error();
    if (next) return HttpResponse.json(next.body ?? {}, { status: next.status, headers: next.headers ?? {} });
    const sid = `SM${String(requests.length).padStart(32, '0')}`;
    return HttpResponse.json({ sid, status: 'queued', to: form.To, body: form.Body }, { status: 201 });
  });
  return { requests, script, handler };
}

/** A relay with the real Twilio transport wired to the family SMS service, no rate limits, no jitter. */
export function smsRelay(ctx: AppContext, sms: FamilySmsService) {
  const transport = createTwilioTransport(ctx.config.twilio!, ctx.logger, {
    publicBaseUrl: ctx.config.publicBaseUrl,
    clock: ctx.clock,
    prepare: (m) => sms.prepareOutbound(m),
    onPermanentError: (m, code) => sms.applySendError(m.recipientId, code, m.address),
  });
  return {
    transport,
    relay: createRelay({
      ctx,
      transports: new TransportRegistry([transport]),
      rateLimits: false,
      random: () => 0,
    }),
  };
}
