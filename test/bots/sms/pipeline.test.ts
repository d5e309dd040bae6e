import { describe, expect, it } from 'vitest';
import { handleInboundSms, type InboundSmsDeps } from '../../../src/bots/sms/inbound.js';
import { AuditRepository } from '../../../src/store/repositories/audit.js';
import { CheckinRepository } from '../../../src/store/repositories/checkins.js';
import { ConsentRepository } from '../../../src/store/repositories/consents.js';
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

async function setup(
  guardians: Parameters<typeof seedFamily>[1] = [{ id: 'g-1', phone: PHONE }],
  carrier = false,
) {
  const db = await openTestStore();
  const env = smsContext(db);
  await seedFamily(db, guardians);
  const dialog: string[] = [];
  const deps: InboundSmsDeps = {
    sms: env.sms,
    continueFamilyDialog: (id, text) => {
      dialog.push(`${id}:${text}`);
      return { ok: true, applied: { answers: 1 } };
    },
    carrierHandlesOptOut: carrier,
  };
  let n = 0;
  const text = (body: string, from = PHONE) =>
    handleInboundSms(env.ctx, deps, { from, body, messageSid: `SMin${++n}` });
  const { relay } = smsRelay(env.ctx, env.sms);
  const outbox = new OutboxRepository(db);
  /** A routine check-in text, queued the way the check-in service queues it. */
  const queueCheckin = async (guardianId: string, step: string) =>
    (await queueFamilyText(db, guardianId, PHONE, {
      id: `chk-${guardianId}-${step}`,
      idempotencyKey: `checkin|${guardianId}|${step}`,
      body: 'How is Ana this week? Reply 1 Good, 2 OK, 3 Hard',
      createdAt: env.clock(),
    }))!;
  return { db, ...env, dialog, text, relay, outbox, queueCheckin, roster: new RosterRepository(db) };
}

const STOP_WORDS: Record<string, string> = {
  en: 'STOP',
  es: 'PARAR',
  pt: 'Sair',
  vi: 'Dừng',
  zh: '退订',
  ar: 'توقف',
  ht: 'Rete',
  so: 'Jooji',
  ru: 'Стоп',
};

describe('opt-out', () => {
  for (const [locale, word] of Object.entries(STOP_WORDS)) {
    it(`${locale} "${word}": opted out, consent revoked, one confirmation, and a later check-in is not sent`, async () => {
      const t = await setup([{ id: 'g-1', phone: PHONE, locale }]);
      const pendingBefore = await t.queueCheckin('g-1', 'before');
      const outcome = await t.text(word);
      expect(outcome).toMatchObject({ action: 'opt_out', replies: 1 });
      expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('opted_out');
      const consent = await new ConsentRepository(t.db).latest('g-1');
      expect(consent).toMatchObject({ status: 'revoked', source: 'sms_keyword', locale });
      const audit = (await new AuditRepository(t.db).listFor('guardian', 'g-1')).map((a) => a.action);
      expect(audit).toContain('sms_status');
      expect((await t.outbox.get(pendingBefore))?.status).toBe('cancelled');

      const after = await t.queueCheckin('g-1', 'after');
      await t.relay.runOnce();
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0]!.To).toBe(PHONE);
      expect(await t.outbox.get(after)).toMatchObject({ status: 'failed', lastError: 'sms:opted_out' });
      expect(t.dialog).toEqual([]);
    });
  }

  it('STOP cancels replies still waiting, except its own confirmation', async () => {
    const t = await setup();
    await t.text('HELP');
    await t.text('STOP');
    await t.relay.runOnce();
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.Body).toContain('Reply START');
  });

  it('a second STOP sends no second confirmation; other texts from an opted-out family get nothing', async () => {
    const t = await setup();
    await t.text('STOP');
    expect(await t.text('stop!')).toMatchObject({ action: 'opt_out', replies: 0 });
    expect(await t.text('good')).toMatchObject({ action: 'ignored_opted_out', replies: 0 });
    expect(await t.text('ESPAÑOL')).toMatchObject({ action: 'ignored_opted_out', replies: 0 });
    expect(await t.text('yes')).toMatchObject({ action: 'opt_in' });
    expect(t.dialog).toEqual([]);
  });

  it("leaves Twilio's own STOP words to Twilio's confirmation when the sender has Twilio opt-out handling", async () => {
    const t = await setup(undefined, true);
    expect(await t.text('STOP')).toMatchObject({ action: 'opt_out', replies: 0 });
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('opted_out');
    const t2 = await setup(undefined, true);
    expect(await t2.text('PARAR')).toMatchObject({ action: 'opt_out', replies: 1 });
  });

  it('trusts Advanced Opt-Out (OptOutType=STOP) and sends no confirmation of its own', async () => {
    const t = await setup();
    const outcome = await handleInboundSms(
      t.ctx,
      { sms: t.sms, continueFamilyDialog: () => undefined },
      { from: PHONE, body: 'basta ya', messageSid: 'SMx', optOutType: 'STOP' },
    );
    expect(outcome).toMatchObject({ action: 'opt_out', replies: 0 });
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('opted_out');
  });

  it('START opts back in with a granted consent and a confirmation', async () => {
    const t = await setup([{ id: 'g-1', phone: PHONE, locale: 'es' }]);
    await t.text('STOP');
    expect(await t.text('START')).toMatchObject({ action: 'opt_in', replies: 1 });
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');
    expect(await new ConsentRepository(t.db).latest('g-1')).toMatchObject({
      status: 'granted',
      source: 'sms_keyword',
    });
    await t.relay.runOnce();
    expect(api.requests.map((r) => r.Body)).toEqual([
      'No recibirá más mensajes de Lincoln. Responda START para recibirlos otra vez.',
      expect.stringContaining('Lincoln'),
    ]);
  });

  it('YES from an active family is an answer for the dialog, not an opt-in', async () => {
    const t = await setup();
    await activeCheckin(t.db, 'g-1');
    expect(await t.text('yes')).toMatchObject({ action: 'dialog' });
    expect(t.dialog).toEqual(['g-1:yes']);
  });
});

describe('HELP and language', () => {
  it('answers HELP in the family language, also after an opt-out', async () => {
    const t = await setup([{ id: 'g-1', phone: PHONE, locale: 'es' }]);
    await t.text('AYUDA');
    await t.relay.runOnce();
    await t.text('STOP');
    expect(await t.text('HELP')).toMatchObject({ action: 'help', replies: 1 });
    await t.relay.runOnce();
    const bodies = api.requests.map((r) => r.Body);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toContain('Este es el mensaje semanal de Lincoln');
    expect(bodies[2]).toContain('Este es el mensaje semanal de Lincoln');
  });

  it('switches the language and confirms in the new language', async () => {
    const t = await setup();
    expect(await t.text('ESPAÑOL')).toMatchObject({ action: 'language', replies: 1 });
    expect((await t.roster.guardian('g-1'))?.locale).toBe('es');
    expect(
      (await new AuditRepository(t.db).listFor('guardian', 'g-1')).some((a) => a.action === 'locale'),
    ).toBe(true);
    await t.relay.runOnce();
    expect(api.requests[0]!.Body).toBe('Está bien. Le escribiremos en español.');
  });

  it('LANGUAGE alone answers with the list of languages', async () => {
    const t = await setup();
    expect(await t.text('LANGUAGE')).toMatchObject({ action: 'language_list', replies: 1 });
    const row = (await t.outbox.list())[0]!;
    expect(row.payload).toMatchObject({ key: 'family.language_list' });
    expect(JSON.stringify(row.payload)).toContain('ESPAÑOL');
  });
});

describe('crisis', () => {
  it('sends an urgent reply at once, even in quiet hours, and raises an urgent escalation without the text in its summary', async () => {
    const t = await setup([{ id: 'g-1', phone: PHONE, locale: 'es' }]);
    t.clock.set(Date.parse('2026-11-25T05:00:00Z')); // 23:00 in Chicago
    const outcome = await t.text('por favor ayuda, no tenemos comida');
    expect(outcome).toMatchObject({ action: 'crisis', replies: 1 });
    const esc = (await new NeedRepository(t.db).escalations())[0]!;
    expect(esc).toMatchObject({
      trigger: 'no_food',
      urgent: true,
      source: 'family',
      guardianId: 'g-1',
      studentId: 'st-g-1',
    });
    expect(esc.summary).not.toContain('comida');
    expect(esc.note).toContain('no tenemos comida');
    await t.queueCheckin('g-1', 'night');
    await t.relay.runOnce();
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.Body).toContain('911');
    expect(api.requests[0]!.Body).toContain('llame');
    expect(t.dialog).toEqual([]);
  });

  it('answers a crisis text from a family that opted out (they started the contact)', async () => {
    const t = await setup();
    await t.text('STOP');
    expect(await t.text('my daughter wants to kill herself')).toMatchObject({ action: 'crisis', replies: 1 });
    await t.relay.runOnce();
    expect(api.requests.map((r) => r.Body)).toEqual([expect.any(String), expect.stringContaining('988')]);
  });

  it('answers a crisis text from an unknown number and escalates it with the number in the note only', async () => {
    const t = await setup();
    const outcome = await t.text('我儿子想自杀', '+15559990000');
    expect(outcome).toMatchObject({ action: 'crisis', replies: 1 });
    const esc = (await new NeedRepository(t.db).escalations())[0]!;
    expect(esc.summary).not.toContain('5559990000');
    expect(esc.note).toContain('+15559990000');
  });
});

describe('unknown numbers and shared phones', () => {
  it('gives an unknown number one neutral reply a day, naming no student', async () => {
    const t = await setup();
    expect(await t.text('hi who is this', '+15559990000')).toMatchObject({
      action: 'unknown_number',
      replies: 1,
    });
    expect(await t.text('hello?', '+15559990000')).toMatchObject({ action: 'unknown_number', replies: 0 });
    expect(await t.text('STOP', '+15559990000')).toMatchObject({ action: 'opt_out', replies: 0 });
    expect(await t.text('START', '+15559990000')).toMatchObject({ action: 'opt_in', replies: 0 });
    t.clock.advance(24 * 3600_000);
    expect(await t.text('hello?', '+15559990000')).toMatchObject({ replies: 1 });
    await t.relay.runOnce();
    // The first reply was still waiting when the number said STOP: cancelled, never sent.
    expect(api.requests).toHaveLength(1);
    for (const r of api.requests) {
      expect(r.Body).toBe('Sorry, we could not find this number. Please contact your school.');
      expect(r.Body).not.toMatch(/Ana|Lincoln/);
    }
  });

  it('two guardians on one phone: the one in a conversation gets the text; STOP opts both out', async () => {
    const t = await setup([
      { id: 'g-1', phone: PHONE },
      { id: 'g-2', phone: PHONE },
    ]);
    expect(await t.text('good')).toMatchObject({ guardianId: 'g-1', action: 'family_message' });
    await new CheckinRepository(t.db).insertSession({
      id: 'sess-1',
      kind: 'family',
      participantId: 'g-2',
      channel: 'sms',
      scriptId: 'family-weekly',
      scriptVersion: 1,
      period: '2026-W48',
      state: {},
      createdAt: t.clock(),
      updatedAt: t.clock(),
    });
    expect(await t.text('2')).toMatchObject({ guardianId: 'g-2' });
    expect(t.dialog).toEqual(['g-2:2']);
    await t.text('STOP');
    expect((await t.roster.guardiansByPhone(PHONE)).map((g) => g.smsStatus)).toEqual([
      'opted_out',
      'opted_out',
    ]);
  });
});

describe('consent', () => {
  it('sends the consent notice (how to stop) as its own text just before the first routine text only', async () => {
    const t = await setup([{ id: 'g-1', phone: PHONE, locale: 'es' }]);
    const first = await t.queueCheckin('g-1', 'q1');
    await t.relay.runOnce(); // the notice is queued ahead; the text waits one retry
    await t.relay.runOnce();
    const second = await t.queueCheckin('g-1', 'q2');
    await t.relay.runOnce();
    expect(api.requests.map((r) => r.Body)).toEqual([
      expect.stringContaining('Responda STOP para cancelar'),
      'How is Ana this week? Reply 1 Good, 2 OK, 3 Hard',
      'How is Ana this week? Reply 1 Good, 2 OK, 3 Hard',
    ]);
    const notice = (await t.outbox.list()).find((r) => r.purpose === 'sms:consent_notice')!;
    expect(notice).toMatchObject({ status: 'sent', urgent: false, encoding: 'UCS-2' });
    expect(notice.segments).toBeLessThanOrEqual(3);
    expect(await t.outbox.get(first)).toMatchObject({ status: 'sent', encoding: 'GSM-7', segments: 1 });
    expect(await t.outbox.get(second)).toMatchObject({ status: 'sent', encoding: 'GSM-7', segments: 1 });
  });

  it('a notice queued with the first text (as the check-in service does) goes first, also after quiet hours', async () => {
    const t = await setup();
    t.clock.set(Date.parse('2026-11-25T04:00:00Z')); // 22:00 in Chicago
    const first = await t.db.transaction(async (tx) => {
      const id = (await queueFamilyText(tx, 'g-1', PHONE, {
        id: 'chk-first',
        idempotencyKey: 'checkin|g-1|first',
        body: 'How is Ana this week?',
        createdAt: t.clock(),
      }))!;
      expect(await t.sms.enqueueConsentNotice(tx, 'g-1')).not.toBeNull();
      expect(await t.sms.enqueueConsentNotice(tx, 'g-1')).toBeNull();
      return id;
    });
    await t.relay.runOnce();
    expect(api.requests).toHaveLength(0); // quiet hours hold both
    t.clock.set(Date.parse('2026-11-25T14:00:00Z')); // 08:00
    await t.relay.runOnce();
    expect(api.requests.map((r) => r.Body)).toEqual([
      expect.stringContaining('Reply STOP to opt out'),
      'How is Ana this week?',
    ]);
    expect((await t.outbox.get(first))?.status).toBe('sent');
  });

  it('sends no routine text without a recorded consent', async () => {
    const t = await setup([{ id: 'g-1', phone: PHONE, consent: false }]);
    const id = await t.queueCheckin('g-1', 'q1');
    await t.relay.runOnce();
    expect(api.requests).toHaveLength(0);
    expect(await t.outbox.get(id)).toMatchObject({ status: 'failed', lastError: 'sms:no_consent' });
  });
});
