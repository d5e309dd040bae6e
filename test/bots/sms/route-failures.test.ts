import { afterEach, describe, expect, it, vi } from 'vitest';
import { InboundEventRepository } from '../../../src/store/repositories/inbound.js';
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

const PHONE = '+15550100001';
const BODY = 'my daughter Ana is not eating';
const startServer = useSmsServer();

afterEach(() => {
  vi.restoreAllMocks();
});

/** An error like a failed query's: its message holds the parameters, here the number and the text. */
function queryError(): Error {
  return Object.assign(new Error(`Failed query: insert ... params: ${PHONE},${BODY}`), {
    name: 'DrizzleQueryError',
  });
}

async function setup(dialog: () => void = () => undefined) {
  const db = await openTestStore();
  const t = smsContext(db);
  await seedFamily(db, [{ id: 'g-1', phone: PHONE }]);
  await activeCheckin(db, 'g-1');
  const server = await startServer(t.ctx, { sms: t.sms, continueFamilyDialog: dialog });
  const post = (path: string, params: Record<string, string>) =>
    server.post(path, params, { 'x-twilio-signature': sign(`${PUBLIC_BASE_URL}${path}`, params) });
  const logs = () => t.logLines.join('\n');
  return { db, ...t, server, post, logs };
}

function expectNothingPrivate(logs: string): void {
  expect(logs).not.toContain('0100001');
  expect(logs).not.toContain('not eating');
  expect(logs).not.toContain('Failed query');
}

describe('SMS route failures are logged by error name only', () => {
  it('a failing inbound handler: 500, the name in the log, neither number nor text', async () => {
    const t = await setup(() => {
      throw queryError();
    });
    const res = await t.post('/sms/inbound', inboundParams(PHONE, BODY, 'SM1'));
    expect(res.status).toBe(500);
    expect(t.logs()).toContain('DrizzleQueryError');
    expectNothingPrivate(t.logs());
  });

  it('a failure to mark a handled text processed rolls its step back: 500, and the retry is handled once', async () => {
    const steps: string[] = [];
    const t = await setup(() => {
      steps.push('step');
    });
    const finish = vi.spyOn(InboundEventRepository.prototype, 'finish').mockImplementation(() => {
      throw queryError();
    });
    const res = await t.post('/sms/inbound', inboundParams(PHONE, BODY, 'SM1'));
    expect(res.status).toBe(500);
    await t.server.idle();
    expect(t.logs()).toContain('DrizzleQueryError');
    expectNothingPrivate(t.logs());
    expect(await new InboundEventRepository(t.db).get('sms', 'SM1')).toBeUndefined();
    finish.mockRestore();
    const retry = await t.post('/sms/inbound', inboundParams(PHONE, BODY, 'SM1'));
    expect(retry.status).toBe(200);
    expect(await new InboundEventRepository(t.db).get('sms', 'SM1')).toMatchObject({ status: 'processed' });
    const again = await t.post('/sms/inbound', inboundParams(PHONE, BODY, 'SM1'));
    expect(again.status).toBe(200);
    expect(steps).toEqual(['step', 'step']);
    expect(t.logs()).toContain('sms: duplicate inbound ignored');
  });

  it('a failing delivery report: 500 for Twilio to retry, logged by name', async () => {
    const t = await setup();
    vi.spyOn(t.sms, 'applyDeliveryReport').mockImplementation(() => {
      throw queryError();
    });
    const res = await t.post('/sms/status', { MessageSid: 'SMx', MessageStatus: 'delivered', To: PHONE });
    expect(res.status).toBe(500);
    expect(t.logs()).toContain('DrizzleQueryError');
    expectNothingPrivate(t.logs());
  });
});
