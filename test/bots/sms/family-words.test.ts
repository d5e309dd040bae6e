import { describe, expect, it } from 'vitest';
import { CheckinService } from '../../../src/services/checkins.js';
import { FamilyInboundService } from '../../../src/services/family-inbound.js';
import { familyNoteFor } from '../../../src/services/family-notes.js';
import { CheckinRepository } from '../../../src/store/repositories/checkins.js';
import { NeedRepository } from '../../../src/store/repositories/needs.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { SmsRepository } from '../../../src/store/repositories/sms.js';
import { openTestStore } from '../../helpers/engines.js';
import { loadCorpora } from '../../language/evaluate.js';
import { inboundParams, PUBLIC_BASE_URL, seedFamily, sign, smsContext, useSmsServer } from './helpers.js';

// A family's own words, end to end: through the signed Twilio webhook or the channel-neutral service, with
// the real check-in conversation behind it. What matters here is what reaches people: every text stored, a
// crisis paraphrase answered and escalated, revocation in a sentence honoured, a pause that ends by itself.

const INBOUND_URL = `${PUBLIC_BASE_URL}/sms/inbound`;
const WEEK = 7 * 86_400_000;

async function family(locales: Record<string, string> = { 'g-1': 'en' }, carrier = false) {
  const db = await openTestStore();
  const env = smsContext(db);
  const guardians = Object.entries(locales).map(([id, locale], i) => ({
    id,
    phone: `+1555010000${i + 1}`,
    locale,
  }));
  await seedFamily(db, guardians);
  const checkins = new CheckinService(env.ctx, env.texts);
  const deps = {
    sms: env.sms,
    continueFamilyDialog: (id: string, text: string) => checkins.input('family', id, { kind: 'text', text }),
    carrierHandlesOptOut: carrier,
  };
  const service = new FamilyInboundService(env.ctx, deps);
  let n = 0;
  const phoneOf = (id: string) => guardians.find((g) => g.id === id)!.phone;
  const text = (body: string, from = phoneOf('g-1')) =>
    service.receive({ channel: 'sms', eventId: `SMw${++n}`, from, body });
  const outbox = new OutboxRepository(db);
  const replies = async (purpose: string) => (await outbox.list()).filter((r) => r.purpose === purpose);
  /** Marks every queued text as delivered, as the relay would once quiet hours allow. */
  const deliver = async () => {
    for (const r of await outbox.list({ status: 'pending' }))
      await outbox.markSent(r.id, env.clock(), `SM${r.id}`);
  };
  return {
    db,
    ...env,
    deps,
    checkins,
    text,
    phoneOf,
    replies,
    deliver,
    outbox,
    roster: new RosterRepository(db),
  };
}

describe('nothing a family writes is dropped', () => {
  it('1,000 mixed texts (every kind, nine languages, known and unknown numbers) → 1,000 stored', async () => {
    const locales = Object.fromEntries(
      ['en', 'es', 'ar', 'zh', 'vi', 'pt', 'ht', 'so', 'ru'].map((l, i) => [`g-${i + 1}`, l]),
    );
    const t = await family(locales);
    for (const id of Object.keys(locales)) await t.checkins.startFamily(id);
    await t.deliver();
    const sentences = loadCorpora().flatMap((c) =>
      c.cases.map((x) => ({ locale: c.language, text: x.text })),
    );
    const senders = Object.keys(locales);
    for (let i = 0; i < 1000; i++) {
      const s = sentences[(i * 7) % sentences.length]!;
      const guardian = senders[senders.findIndex((id) => locales[id] === s.locale)]!;
      // Every eleventh text comes from a number no guardian has; some are empty or only spaces.
      const from = i % 11 === 0 ? `+1555020${String(i).padStart(4, '0')}` : t.phoneOf(guardian);
      const body = i % 97 === 0 ? '   ' : s.text;
      await t.text(body, from);
      if (i % 50 === 0) await t.deliver();
    }
    const stored = await new SmsRepository(t.db).familyTextsSince(0);
    expect(stored).toHaveLength(1000);
    expect(stored.filter((r) => r.guardianId === null).length).toBe(91);
    // Blank texts are stored, but they are not notes for a navigator.
    const notes = (
      await Promise.all(senders.map((g) => new SmsRepository(t.db).familyMessagesSince(g, 0)))
    ).flat();
    expect(notes.every((m) => m.body.trim() !== '')).toBe(true);
  });

  it('a reply the check-in cannot read is kept for the navigator, with its need', async () => {
    const t = await family();
    await t.checkins.startFamily('g-1');
    await t.deliver();
    await t.text('My daughter is being bullied at school and we lost our car');
    const notes = await new SmsRepository(t.db).familyMessagesSince('g-1', 0);
    expect(notes.map((m) => m.body)).toEqual(['My daughter is being bullied at school and we lost our car']);
    const [row] = await new SmsRepository(t.db).familyTextsSince(0, 'g-1');
    expect(row).toMatchObject({ meaning: 'note' });
  });

  it('number words answer the check-in: "dos" is option 2 for a Spanish-speaking family', async () => {
    const t = await family({ 'g-1': 'es' });
    const started = await t.checkins.startFamily('g-1');
    await t.deliver();
    await t.text('dos por favor');
    const answers = await new CheckinRepository(t.db).answersForSession(
      started.ok ? started.sessionId : 'none',
    );
    expect(answers.map((a) => [a.questionKey, a.value])).toEqual([['family.how', 'ok']]);
  });
});

describe('a reply is matched to what the family received', () => {
  it('while the next question is still held in the outbox, a reply does not answer it; once delivered it does', async () => {
    const t = await family();
    const started = await t.checkins.startFamily('g-1');
    const sessionId = started.ok ? started.sessionId : 'none';
    // Quiet hours (or a slow relay) still hold the first question: "1" cannot be its answer.
    expect(await t.text('1')).toMatchObject({ action: 'family_message' });
    expect(await new CheckinRepository(t.db).answersForSession(sessionId)).toEqual([]);
    expect((await new SmsRepository(t.db).familyMessagesSince('g-1', 0)).map((m) => m.body)).toEqual(['1']);
    await t.deliver();
    expect(await t.text('1')).toMatchObject({ action: 'dialog' });
    const answers = await new CheckinRepository(t.db).answersForSession(sessionId);
    expect(answers.map((a) => a.value)).toEqual(['good']);
  });

  it('a reply while the next question is held is kept beside the question the family last saw', async () => {
    const t = await family();
    const started = await t.checkins.startFamily('g-1');
    const sessionId = started.ok ? started.sessionId : 'none';
    await t.deliver();
    await t.text('1');
    // The next question is queued but held (quiet hours): the family still answers the one they saw.
    const heldBefore = (await t.outbox.list({ status: 'pending' })).length;
    expect(heldBefore).toBeGreaterThan(0);
    expect(await t.text('2')).toMatchObject({ action: 'family_message' });
    const [note] = await new SmsRepository(t.db).familyMessagesSince('g-1', 0);
    expect(note?.body).toMatch(/^2 \(reply to: .*How is Ana doing this week\?/);
    const answers = await new CheckinRepository(t.db).answersForSession(sessionId);
    expect(answers.map((a) => a.value)).toEqual(['good']);
  });
});

describe('crisis heard in paraphrase, through the signed webhook', () => {
  const startServer = useSmsServer();
  const cases: [string, string, string][] = [
    ['en', 'Ethan told me he doesnt want to be alive anymore', 'self_harm'],
    ['es', 'mi hijo ya no quiere seguir viviendo', 'self_harm'],
    ['zh', '我兒子說他不想活了', 'self_harm'],
    ['ru', 'отчим бьет ее каждый день', 'abuse_neglect'],
  ];
  for (const [locale, body, trigger] of cases)
    it(`${locale}: "${body}" → urgent reply and urgent escalation`, async () => {
      const t = await family({ 'g-1': locale });
      const server = await startServer(t.ctx, t.deps);
      const params = inboundParams(t.phoneOf('g-1'), body, `SMc${locale}`);
      const res = await server.post('/sms/inbound', params, {
        'x-twilio-signature': sign(INBOUND_URL, params),
      });
      expect(res.status).toBe(200);
      const reply = await t.replies('sms:crisis_reply');
      expect(reply).toHaveLength(1);
      expect(reply[0]).toMatchObject({ urgent: true, locale });
      const [escalation] = await new NeedRepository(t.db).escalations();
      expect(escalation).toMatchObject({ trigger, urgent: true, source: 'family' });
    });

  it('a crisis and a stop in one text: the crisis is answered and escalated, and the texts stop', async () => {
    const t = await family();
    expect(await t.text('stop texting me. my husband beats me')).toMatchObject({ action: 'crisis' });
    expect(await t.replies('sms:crisis_reply')).toHaveLength(1);
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('opted_out');
    expect((await t.replies('sms:crisis_reply'))[0]?.status).toBe('pending');
  });

  it('an idiom stays calm; a possible-but-unclear crisis goes to a counselor for review, not urgently', async () => {
    const t = await family({ 'g-1': 'es' });
    await t.text('la tarea me esta matando jaja');
    expect(await new NeedRepository(t.db).escalations()).toEqual([]);
    await t.text('tengo miedo por mi hijo');
    const [review] = await new NeedRepository(t.db).escalations();
    expect(review).toMatchObject({ urgent: false, source: 'family' });
    expect(await t.replies('sms:crisis_reply')).toEqual([]);
  });
});

describe('revocation by any reasonable means', () => {
  const sentences: [string, string][] = [
    ['en', 'please stop texting me'],
    ['en', 'unsuscribe'],
    ['zh', '請不要再傳簡訊給我'],
    ['so', 'fadlan jooji fariimaha'],
    ['vi', 'đừng nhắn tin cho tôi nữa'],
    ['ru', 'пожалуйста, больше не пишите мне'],
  ];
  for (const [locale, body] of sentences)
    it(`${locale}: "${body}" opts out with one confirmation in the family's language`, async () => {
      const t = await family({ 'g-1': locale }, true);
      expect(await t.text(body)).toMatchObject({ action: 'opt_out', replies: 1 });
      expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('opted_out');
      expect(await t.replies('sms:opt_out_confirm')).toMatchObject([{ locale }]);
    });

  it('with the carrier handling STOP, we confirm only what Twilio does not treat as its keyword', async () => {
    for (const [body, ours] of [
      ['STOP', 0],
      [' stop ', 0],
      ['STOP please', 1],
      ['ＳＴＯＰ', 1],
      ['STOP 🙏', 1],
    ] as const) {
      const t = await family({ 'g-1': 'en' }, true);
      expect(await t.text(body), body).toMatchObject({ action: 'opt_out', replies: ours });
    }
  });

  it('"don\'t stop texting me" and "I want to stop by the school" are not opt-outs', async () => {
    const t = await family();
    await t.text("don't stop texting me, this helps");
    await t.text('I want to stop by the school tomorrow');
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');
  });

  it('a maybe-opt-out gets one short question, not the check-in again', async () => {
    const t = await family();
    await t.checkins.startFamily('g-1');
    await t.deliver();
    expect(await t.text('too many texts!!')).toMatchObject({ action: 'opt_out_question', replies: 1 });
    expect(await t.replies('sms:opt_out_question')).toHaveLength(1);
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');
  });

  it('opting back in with words gets a reply; "who is this?" gets who texts and how to stop', async () => {
    const t = await family({ 'g-1': 'es' });
    await t.text('PARAR');
    expect(await t.text('quiero volver a recibir los mensajes')).toMatchObject({
      action: 'opt_in',
      replies: 1,
    });
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');
    expect(await t.text('quien es?')).toMatchObject({ action: 'identity', replies: 1 });
    expect((await t.replies('sms:identity'))[0]?.body).toContain('STOP');
  });
});

describe('PAUSE', () => {
  it('stops routine check-ins for the weeks asked, is confirmed in the family language, shown to the navigator, and ends by itself', async () => {
    const t = await family({ 'g-1': 'vi' });
    expect(await t.text('dừng 2 tuần')).toMatchObject({ action: 'pause', replies: 1 });
    const [confirm] = await t.replies('sms:pause_confirm');
    expect(confirm).toMatchObject({ locale: 'vi' });
    expect(confirm?.body).toContain('2 tuần');
    expect((await t.roster.guardian('g-1'))?.smsStatus).toBe('active');
    expect(await t.sms.blockFor('g-1', { urgent: false, replyToInbound: false })).toBe('sms:paused');
    expect(await t.sms.blockFor('g-1', { urgent: true, replyToInbound: false })).toBeNull();
    expect(await t.checkins.startFamily('g-1')).toMatchObject({ ok: false });
    const note = await familyNoteFor(t.db, t.texts, { id: 'st-g-1', firstName: 'Ana' }, 'en', t.clock());
    expect(note?.params?.note).toBe(
      `dừng 2 tuần (⏸ ${new Date(t.clock() + 2 * WEEK).toISOString().slice(0, 10)})`,
    );
    t.clock.advance(2 * WEEK + 1);
    expect(await t.sms.blockFor('g-1', { urgent: false, replyToInbound: false })).toBeNull();
    expect(await t.checkins.startFamily('g-1')).toMatchObject({ ok: true });
  });

  it('PAUSA with no number pauses four weeks; a crisis during a pause is still answered at once', async () => {
    const t = await family({ 'g-1': 'es' });
    await t.text('PAUSA');
    expect(await t.sms.pausedUntil(t.phoneOf('g-1'))).toBe(t.clock() + 4 * WEEK);
    await t.text('no tenemos comida');
    expect(await t.replies('sms:crisis_reply')).toHaveLength(1);
  });
});
