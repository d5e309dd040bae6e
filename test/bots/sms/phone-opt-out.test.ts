import { describe, expect, it } from 'vitest';
import { handleInboundSms, type InboundSmsDeps } from '../../../src/bots/sms/inbound.js';
import { phoneRef } from '../../../src/services/family-sms.js';
import { AuditRepository } from '../../../src/store/repositories/audit.js';
import { NeedRepository } from '../../../src/store/repositories/needs.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { openTestStore } from '../../helpers/engines.js';
import { useScriptedApi } from '../../helpers/msw.js';
import { activeCheckin, queueFamilyText, seedFamily, smsContext } from './helpers.js';
import { fakeTwilio, smsRelay } from './relay-helpers.js';

const api = fakeTwilio();
useScriptedApi(api);

const PHONE = '+15550100001';
const NEW_PHONE = '+15550100777';

async function setup(locale = 'en') {
  const db = await openTestStore();
  const env = smsContext(db);
  await seedFamily(db, [{ id: 'g-1', phone: PHONE, locale }]);
  const dialog: string[] = [];
  const deps: InboundSmsDeps = {
    sms: env.sms,
    continueFamilyDialog: (id, text) => {
      dialog.push(`${id}:${text}`);
      return { ok: true, applied: { answers: 1 } };
    },
  };
  let n = 0;
  const text = (body: string, from = PHONE, optOutType?: string) =>
    handleInboundSms(env.ctx, deps, {
      from,
      body,
      messageSid: `SMin${++n}`,
      ...(optOutType ? { optOutType } : {}),
    });
  const outbox = new OutboxRepository(db);
  const queueCheckin = async (guardianId: string, address: string, step = 'q1') =>
    (await queueFamilyText(db, guardianId, address, {
      id: `chk-${guardianId}-${step}`,
      idempotencyKey: `checkin|${guardianId}|${step}`,
      body: 'How is Ana this week?',
      createdAt: env.clock(),
    }))!;
  return { db, ...env, dialog, text, outbox, queueCheckin, ...smsRelay(env.ctx, env.sms) };
}

const routine = { urgent: false, replyToInbound: false };

describe('an opt-out belongs to the phone number', () => {
  it('a guardian imported later with a number that said STOP is not texted', async () => {
    const t = await setup();
    await t.text('STOP');
    await seedFamily(t.db, [{ id: 'g-2', phone: PHONE }]); // a new roster import, consent granted
    expect((await new RosterRepository(t.db).guardian('g-2'))?.smsStatus).toBe('active');
    expect(await t.sms.blockFor('g-2', routine)).toBe('sms:opted_out');
    const id = await t.queueCheckin('g-2', PHONE);
    await t.relay.runOnce();
    expect(api.requests.map((r) => r.Body)).toEqual([expect.stringContaining('Reply START')]);
    expect(await t.outbox.get(id)).toMatchObject({ status: 'failed', lastError: 'sms:opted_out' });
  });

  it('STOP from a number not on the roster is kept; the number is not texted once added; START clears it', async () => {
    const t = await setup();
    expect(await t.text('Stop', NEW_PHONE)).toMatchObject({ action: 'opt_out', replies: 0 });
    await seedFamily(t.db, [{ id: 'g-3', phone: NEW_PHONE }]);
    expect(await t.sms.blockFor('g-3', routine)).toBe('sms:opted_out');
    const id = await t.queueCheckin('g-3', NEW_PHONE);
    await t.relay.runOnce();
    expect(api.requests).toHaveLength(0);
    expect((await t.outbox.get(id))?.lastError).toBe('sms:opted_out');
    expect(await t.text('START', NEW_PHONE)).toMatchObject({ action: 'opt_in', replies: 1 });
    expect(await t.sms.blockFor('g-3', routine)).toBeNull();
    const audit = await new AuditRepository(t.db).listFor('sms_opt_out', phoneRef(NEW_PHONE));
    expect(audit.map((a) => a.action)).toEqual(['opt_out', 'opt_in']);
    expect(JSON.stringify(audit)).not.toContain('0100777');
  });

  it('a second guardian at the number gets no second confirmation, and is opted out too', async () => {
    const t = await setup();
    await t.text('STOP');
    await seedFamily(t.db, [{ id: 'g-2', phone: PHONE }]);
    expect(await t.text('STOP')).toMatchObject({ action: 'opt_out', replies: 0 });
    expect((await new RosterRepository(t.db).guardian('g-2'))?.smsStatus).toBe('opted_out');
  });

  it('Twilio Advanced Opt-Out (OptOutType=STOP) and error 21610 put the number on the list', async () => {
    const t = await setup();
    await t.text('basta', PHONE, 'STOP');
    expect(await t.sms.phoneOptedOut(PHONE)).toBe(true);

    const u = await setup();
    const id = await u.queueCheckin('g-1', PHONE);
    await u.sms.enqueueConsentNotice(u.db, 'g-1');
    api.script.push({
      status: 400,
      body: { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
    });
    await u.relay.runOnce();
    expect(await u.sms.phoneOptedOut(PHONE)).toBe(true);
    await seedFamily(u.db, [{ id: 'g-2', phone: PHONE }]);
    expect(await u.sms.blockFor('g-2', routine)).toBe('sms:opted_out');
    expect(api.requests).toHaveLength(1); // the notice; the check-in text was cancelled by the opt-out
    expect((await u.outbox.get(id))?.status).toBe('cancelled');
  });

  it('still answers HELP and a crisis text from a number on the list (the family started the contact)', async () => {
    const t = await setup();
    await t.text('STOP', NEW_PHONE);
    await seedFamily(t.db, [{ id: 'g-3', phone: NEW_PHONE }]);
    expect(await t.text('HELP', NEW_PHONE)).toMatchObject({ action: 'help', replies: 1 });
    expect(await t.text('my son wants to hurt himself', NEW_PHONE)).toMatchObject({
      action: 'crisis',
      replies: 1,
    });
    expect(await t.text('hello', NEW_PHONE)).toMatchObject({ action: 'ignored_opted_out', replies: 0 });
    await t.relay.runOnce();
    expect(api.requests.map((r) => r.Body)).toEqual([
      expect.stringContaining('Reply STOP'),
      expect.stringContaining('988'),
    ]);
  });
});

describe('crisis escalations from SMS are audited', () => {
  it('writes an escalation create entry without the message text', async () => {
    const t = await setup();
    const outcome = await t.text('she wants to end her life');
    expect(outcome).toMatchObject({ action: 'crisis' });
    const esc = (await new NeedRepository(t.db).escalations())[0]!;
    const entries = await new AuditRepository(t.db).listFor('escalation', esc.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'create', actor: 'guardian:g-1' });
    expect(JSON.stringify(entries[0])).not.toContain('end her life');
  });
});

describe('a text outside any check-in', () => {
  it('is kept for the navigator and acknowledged once a day in the family language', async () => {
    const t = await setup('es');
    expect(await t.text('necesitamos ayuda con la renta')).toMatchObject({
      action: 'family_message',
      replies: 1,
    });
    t.clock.advance(60_000);
    expect(await t.text('gracias')).toMatchObject({ action: 'family_message', replies: 0 });
    const kept = (await t.sms.familyMessagesSince('g-1', 0)).map((m) => m.body);
    expect(kept).toEqual(['necesitamos ayuda con la renta', 'gracias']);
    expect(await t.sms.familyMessagesSince('g-1', t.clock())).toHaveLength(1);
    await t.relay.runOnce();
    expect(api.requests.map((r) => r.Body)).toEqual([
      'Gracias. Le pasamos su mensaje al navegador(a) de su hijo(a).',
    ]);
    expect(t.dialog).toEqual([]);
  });

  it('records a family need for each child when the text names one', async () => {
    const db = await openTestStore();
    const env = smsContext(db);
    await seedFamily(db, [{ id: 'g-9', phone: NEW_PHONE, locale: 'es', students: ['st-a', 'st-b'] }]);
    const outcome = await handleInboundSms(
      env.ctx,
      { sms: env.sms, continueFamilyDialog: () => undefined },
      { from: NEW_PHONE, body: 'necesitamos comida', messageSid: 'SMneed' },
    );
    expect(outcome).toMatchObject({ action: 'family_message', replies: 1 });
    const needs = new NeedRepository(db);
    for (const student of ['st-a', 'st-b'])
      expect(await needs.openNeed(student, 'food_security')).toMatchObject({
        source: 'family',
        raisedBy: 'guardian:g-9',
      });
    expect(await needs.openNeed('st-a', 'housing_stability')).toBeUndefined();
  });

  it('inside a check-in goes to the dialog, and after an opt-out is kept without any reply', async () => {
    const t = await setup();
    await activeCheckin(t.db, 'g-1');
    expect(await t.text('2')).toMatchObject({ action: 'dialog' });
    expect(t.dialog).toEqual(['g-1:2']);
    await t.text('STOP');
    expect(await t.text('we moved')).toMatchObject({ action: 'ignored_opted_out', replies: 0 });
    expect((await t.sms.familyMessagesSince('g-1', 0)).map((m) => m.body)).toEqual(['we moved']);
  });
});
