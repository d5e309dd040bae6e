import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterEach } from 'vitest';
import type { InboundSmsDeps } from '../../../src/bots/sms/inbound.js';
import { createSmsRoutes } from '../../../src/bots/sms/routes.js';
import { loadConfig } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import { createTexts, type Texts } from '../../../src/i18n/index.js';
import { fixedClock, sequentialIds } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { closeServer, createHttpApp, listen } from '../../../src/server.js';
import { FamilySmsService } from '../../../src/services/family-sms.js';
import type { Db, DbOrTx } from '../../../src/store/db.js';
import { CheckinRepository } from '../../../src/store/repositories/checkins.js';
import { ConsentRepository } from '../../../src/store/repositories/consents.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';

export const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
export const AUTH_TOKEN = 'test-auth-token';
export const MESSAGING_SERVICE_SID = `MG${'2'.repeat(32)}`;
export const PUBLIC_BASE_URL = 'https://checkins.example.org';
export const MESSAGES_URL = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
/** Tuesday 2026-11-24 16:00 UTC = 10:00 in Chicago: inside the sending window. */
export const START = Date.parse('2026-11-24T16:00:00Z');

export const TWILIO_ENV = {
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_MESSAGING_SERVICE_SID: MESSAGING_SERVICE_SID,
  PUBLIC_BASE_URL,
  LOG_LEVEL: 'silent',
};

/** A context with Twilio configured, a movable clock, sequential ids and the shipped texts. */
export function smsContext(db: Db, env: Record<string, string> = {}) {
  const clock = fixedClock(START);
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => logLines.push(s) } });
  const ctx: AppContext = {
    config: loadConfig({ ...TWILIO_ENV, ...env }),
    db,
    logger,
    clock,
    ids: sequentialIds('x'),
  };
  const texts: Texts = createTexts({ defaultLocale: 'en' });
  const sms = new FamilySmsService(ctx, texts);
  return { ctx, clock, logLines, texts, sms };
}

/** Seeds a school, students and guardians; consent granted unless `consent: false`. */
export async function seedFamily(
  db: Db,
  guardians: Array<{
    id: string;
    phone: string | null;
    locale?: string;
    students?: string[];
    consent?: boolean;
  }>,
): Promise<void> {
  const by = { actor: 'test', at: 0 };
  const roster = new RosterRepository(db);
  const consents = new ConsentRepository(db);
  await roster.upsertSchool({ id: 'S1', name: 'Lincoln', timezone: 'America/Chicago' }, by);
  for (const g of guardians) {
    await roster.upsertGuardian(
      {
        id: g.id,
        name: `Guardian ${g.id}`,
        phone: g.phone,
        locale: g.locale ?? 'en',
        timezone: 'America/Chicago',
      },
      by,
    );
    for (const s of g.students ?? [`st-${g.id}`]) {
      if (!(await roster.student(s)))
        await roster.upsertStudent(
          { id: s, schoolId: 'S1', firstName: 'Ana', lastName: 'Diaz', grade: '5' },
          by,
        );
      const links = (await roster.guardiansOf(s)).map((l) => ({
        guardianId: l.id,
        relationship: l.relationship,
      }));
      await roster.setGuardians(s, [...links, { guardianId: g.id, relationship: 'parent' }], by);
    }
    if (g.consent !== false)
      await consents.record(
        { guardianId: g.id, status: 'granted', source: 'roster_import', locale: g.locale ?? 'en' },
        by,
      );
  }
}

/** Form parameters of an inbound SMS webhook, as Twilio sends them. */
export function inboundParams(from: string, body: string, sid: string): Record<string, string> {
  return {
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: body,
    To: '+15005550006',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: from,
    ApiVersion: '2010-04-01',
  };
}

/** Signs params the way Twilio does, for `url`. */
export function sign(url: string, params: Record<string, string>, token = AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, url, params);
}

/** Starts the app with the SMS routes on an ephemeral port. */
export async function startServer(ctx: AppContext, deps: InboundSmsDeps) {
  const sms = createSmsRoutes(deps);
  const server: Server = await listen(createHttpApp(ctx, [sms.routes]), 0, '127.0.0.1');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    idle: sms.idle,
    close: () => closeServer(server),
    post(path: string, params: Record<string, string>, headers: Record<string, string> = {}) {
      return fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(params).toString(),
      });
    },
  };
}

/** Starts the SMS routes in a test and stops them after it: call at file or describe level, start inside the test. */
export function useSmsServer(): typeof startServer {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });
  return async (ctx, deps) => {
    const server = await startServer(ctx, deps);
    stop = server.close;
    return server;
  };
}

/** Opens a family check-in session for a guardian, so their texts go to the dialog. */
export async function activeCheckin(db: Db, guardianId: string, at = START): Promise<void> {
  await new CheckinRepository(db).insertSession({
    id: `sess-${guardianId}`,
    kind: 'family',
    participantId: guardianId,
    channel: 'sms',
    scriptId: 'family-weekly',
    scriptVersion: 1,
    period: '2026-W48',
    state: {},
    createdAt: at,
    updatedAt: at,
  });
}

/** Queues a routine family check-in text, as the check-in service does; null when its key was queued already. */
export function queueFamilyText(
  db: DbOrTx,
  guardianId: string,
  address: string,
  m: { id: string; idempotencyKey: string; body: string; createdAt: number },
): Promise<string | null> {
  return OutboxRepository.enqueue(db, {
    ...m,
    channel: 'sms',
    recipientKind: 'guardian',
    recipientId: guardianId,
    address,
    purpose: 'checkin:family',
    locale: 'en',
    payload: { key: 'family.thanks' },
  });
}

/** A text sent to the guardian in an earlier week (so the next routine text is not their first). */
export async function textedBefore(db: Db, guardianId: string, phone: string): Promise<void> {
  const id = (await queueFamilyText(db, guardianId, phone, {
    id: `earlier-${guardianId}`,
    idempotencyKey: `earlier|${guardianId}`,
    body: 'Thank you.',
    createdAt: START - 7 * 86_400_000,
  }))!;
  await new OutboxRepository(db).markSent(id, START - 7 * 86_400_000, `SMearlier${guardianId}`);
}
