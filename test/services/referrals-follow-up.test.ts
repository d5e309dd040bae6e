import { beforeEach, describe, expect, it } from 'vitest';
import type { MessagePayload } from '../../src/messages.js';
import { FamilyInboundService } from '../../src/services/family-inbound.js';
import { FOLLOW_UP_WINDOW_MS, readFollowUpAnswer } from '../../src/services/referral-follow-up.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { CheckinRepository } from '../../src/store/repositories/checkins.js';
import { NeedRepository } from '../../src/store/repositories/needs.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { ReferralRepository } from '../../src/store/repositories/referrals.js';
import { SmsRepository } from '../../src/store/repositories/sms.js';
import { SUPPORTED_LOCALES } from '../../src/vocabulary.js';
import { NOW, PHONES, referralWorld } from './referrals-setup.js';

let world: Awaited<ReturnType<typeof referralWorld>>;
beforeEach(async () => {
  world = await referralWorld();
});

/** A food need of the student referred to the pantry and marked connected: the family has its follow-up. */
async function connected(studentId: 'st-en' | 'st-es') {
  const need = await world.need(studentId);
  const made = await world.referrals.create('nav-1', need.id, 'food-pantry');
  if (!made.ok) throw new Error(made.message);
  const moved = await world.referrals.update('nav-1', made.referral.id, 'connected');
  expect(moved).toMatchObject({ ok: true, followUps: 1 });
  world.ctx.clock.advance(30 * 60_000);
  return { needId: need.id, referralId: made.referral.id };
}

const referral = (id: string) => new ReferralRepository(world.ctx.db).referral(id);
const needStatus = async (id: string) =>
  (await new NeedRepository(world.ctx.db).allNeeds()).find((n) => n.id === id)?.status;
const navigatorNotices = async () =>
  (await new OutboxRepository(world.ctx.db).list()).filter((r) => r.purpose === 'referral:not_yet');
const familyTexts = async (guardianId: string) =>
  (await new OutboxRepository(world.ctx.db).list()).filter((r) => r.recipientId === guardianId);

describe('the family answers the referral follow-up, through the family inbound service', () => {
  it('English, "1": the referral and the need move to receiving; the text is stored as the answer', async () => {
    const { needId, referralId } = await connected('st-en');
    const outcome = await world.inbound.receive(world.textFrom(PHONES.en, '1'));
    expect(outcome).toMatchObject({ action: 'referral_follow_up', guardianId: 'g-en', replies: 1 });
    expect(await referral(referralId)).toMatchObject({
      status: 'receiving',
      followUpAnswer: 'yes',
      followUpGuardianId: 'g-en',
      updatedBy: 'guardian:g-en',
    });
    expect(await needStatus(needId)).toBe('receiving');
    // Stored like every text a family sends, with what it meant.
    expect(await new SmsRepository(world.ctx.db).familyTextsSince(0, 'g-en')).toMatchObject([
      { body: '1', meaning: 'referral_follow_up' },
    ]);
    const audit = await new AuditRepository(world.ctx.db).listFor('referral', referralId);
    expect(audit.slice(-2).map((e) => [e.actor, e.action, e.after])).toEqual([
      ['sms:g-en', 'follow_up_answer', { answer: 'yes', guardianId: 'g-en' }],
      ['sms:g-en', 'status', { status: 'receiving' }],
    ]);
    expect(await navigatorNotices()).toEqual([]);
    expect((await familyTexts('g-en')).map((r) => r.purpose).sort()).toEqual([
      'referral:follow_up',
      'sms:consent_notice',
      'sms:message_received',
    ]);
  });

  it('English, "not yet": the referral stays connected and the navigator is told in their chat', async () => {
    const { referralId } = await connected('st-en');
    expect(await world.inbound.receive(world.textFrom(PHONES.en, 'Not yet'))).toMatchObject({
      action: 'referral_follow_up',
    });
    expect(await referral(referralId)).toMatchObject({ status: 'connected', followUpAnswer: 'not_yet' });
    const [notice, ...more] = await navigatorNotices();
    expect(more).toEqual([]);
    expect(notice).toMatchObject({
      recipientKind: 'staff',
      recipientId: 'nav-1',
      channel: 'local',
      address: 'nav-1',
      locale: 'en',
      payload: {
        key: 'staff.referralFollowUpNotYet',
        params: { student: 'Ana', grade: '7', service: 'Northside Food Pantry' },
      },
    });
    const payload = notice!.payload as MessagePayload;
    expect(world.texts.t(payload.key, 'en', payload.params).text).toMatch(
      /^Ana \(grade 7\): the family says they have not got help from Northside Food Pantry yet \(referral [0-9A-Z]+\)\. Please check in with them\.$/,
    );
  });

  it('Spanish, "sí": receiving; the follow-up was asked in Spanish', async () => {
    const { referralId } = await connected('st-es');
    expect((await familyTexts('g-es')).find((r) => r.purpose === 'referral:follow_up')?.body).toBe(
      '¿Recibió ayuda con la comida? Responda 1 Sí o 2 Todavía no',
    );
    expect(await world.inbound.receive(world.textFrom(PHONES.es, 'Sí'))).toMatchObject({
      action: 'referral_follow_up',
      guardianId: 'g-es',
    });
    expect(await referral(referralId)).toMatchObject({ status: 'receiving', followUpAnswer: 'yes' });
    expect((await familyTexts('g-es')).find((r) => r.purpose === 'sms:message_received')).toMatchObject({
      locale: 'es',
    });
  });

  it('Spanish, "todavía no" (and "dos" the same): connected, the navigator told once', async () => {
    const { referralId } = await connected('st-es');
    expect(await world.inbound.receive(world.textFrom(PHONES.es, 'todavía no'))).toMatchObject({
      action: 'referral_follow_up',
    });
    expect(await referral(referralId)).toMatchObject({ status: 'connected', followUpAnswer: 'not_yet' });
    expect(await navigatorNotices()).toHaveLength(1);
    // Answered already: a second "dos" is an ordinary text again, kept for the navigator.
    expect(await world.inbound.receive(world.textFrom(PHONES.es, 'dos'))).toMatchObject({
      action: 'family_message',
    });
    expect(await navigatorNotices()).toHaveLength(1);
    expect(readFollowUpAnswer('dos', 'es')).toBe('not_yet');
  });

  it('a text that is neither answer goes on as today, and the follow-up still waits', async () => {
    const { referralId } = await connected('st-es');
    const outcome = await world.inbound.receive(
      world.textFrom(PHONES.es, 'Gracias, fuimos el martes pero la despensa estaba cerrada'),
    );
    expect(outcome).toMatchObject({ action: 'family_message', guardianId: 'g-es' });
    expect(await referral(referralId)).toMatchObject({ status: 'connected', followUpAnswer: null });
    expect(await world.inbound.receive(world.textFrom(PHONES.es, '1'))).toMatchObject({
      action: 'referral_follow_up',
    });
  });

  it('while the family check-in asks a newer question, "1" is the check-in answer; an older check-in yields', async () => {
    const dialog: string[] = [];
    const inbound = new FamilyInboundService(world.ctx, {
      sms: world.sms,
      continueFamilyDialog: (guardianId, body) => {
        dialog.push(`${guardianId}:${body}`);
        return { ok: true, applied: { answers: 1 } };
      },
    });
    const session = (updatedAt: number) =>
      new CheckinRepository(world.ctx.db).insertSession({
        id: `sess-${updatedAt}`,
        kind: 'family',
        participantId: 'g-en',
        channel: 'sms',
        scriptId: 'family-weekly',
        scriptVersion: 1,
        period: '2026-W48',
        state: {},
        createdAt: updatedAt,
        updatedAt,
      });
    const { referralId } = await connected('st-en');
    await session(world.ctx.clock());
    expect(await inbound.receive(world.textFrom(PHONES.en, '1'))).toMatchObject({ action: 'dialog' });
    expect(dialog).toEqual(['g-en:1']);
    expect(await referral(referralId)).toMatchObject({ status: 'connected', followUpAnswer: null });

    const other = await referralWorld();
    world = other;
    const second = await connected('st-en');
    await session(NOW - 86_400_000);
    expect(await world.inbound.receive(world.textFrom(PHONES.en, '1'))).toMatchObject({
      action: 'referral_follow_up',
    });
    expect(await referral(second.referralId)).toMatchObject({ status: 'receiving' });
  });

  it('an answer after the follow-up window is not taken as one', async () => {
    const { referralId } = await connected('st-en');
    world.ctx.clock.advance(FOLLOW_UP_WINDOW_MS);
    expect(await world.inbound.receive(world.textFrom(PHONES.en, '2'))).toMatchObject({
      action: 'family_message',
    });
    expect(await referral(referralId)).toMatchObject({ followUpAnswer: null });
  });
});

describe('reading the answer', () => {
  it('1 and 2 in every language the product texts in; number words; English everywhere', () => {
    for (const locale of SUPPORTED_LOCALES) {
      expect([locale, readFollowUpAnswer('1', locale)]).toEqual([locale, 'yes']);
      expect([locale, readFollowUpAnswer(' 2. ', locale)]).toEqual([locale, 'not_yet']);
      expect([locale, readFollowUpAnswer('not yet', locale)]).toEqual([locale, 'not_yet']);
    }
    expect(readFollowUpAnswer('uno', 'es')).toBe('yes');
    expect(readFollowUpAnswer('Aún no', 'es')).toBe('not_yet');
    expect(readFollowUpAnswer('wi', 'ht')).toBe('yes');
    expect(readFollowUpAnswer('poko', 'ht')).toBe('not_yet');
    expect(readFollowUpAnswer('ещё нет', 'ru')).toBe('not_yet');
    expect(readFollowUpAnswer('sim', 'pt')).toBe('yes');
    expect(readFollowUpAnswer('还没有', 'zh')).toBe('not_yet');
    expect(readFollowUpAnswer('chưa', 'vi')).toBe('not_yet');
    expect(readFollowUpAnswer('نعم', 'ar')).toBe('yes');
    expect(readFollowUpAnswer('haa', 'so')).toBe('yes');
    expect(readFollowUpAnswer('1 2', 'en')).toBeUndefined();
    expect(readFollowUpAnswer('we went but it was closed on tuesday', 'en')).toBeUndefined();
    expect(readFollowUpAnswer('hello', 'en')).toBeUndefined();
  });
});
