import { beforeEach, describe, expect, it } from 'vitest';
import { canMove, referralRef } from '../../src/services/referral-lifecycle.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { NeedRepository } from '../../src/store/repositories/needs.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { ReferralRepository } from '../../src/store/repositories/referrals.js';
import { referralWorld } from './referrals-setup.js';

let world: Awaited<ReturnType<typeof referralWorld>>;
beforeEach(async () => {
  world = await referralWorld();
});

const needOf = async (id: string) =>
  (await new NeedRepository(world.ctx.db).allNeeds()).find((n) => n.id === id)!;
const audit = (entity: string, id: string) => new AuditRepository(world.ctx.db).listFor(entity, id);

describe('referral lifecycle', () => {
  it('a navigator refers a need on their caseload; it moves to resolved, the need follows, every change audit-logged', async () => {
    const need = await world.need('st-en');
    const made = await world.referrals.create('nav-1', need.id, 'food-pantry');
    if (!made.ok) throw new Error(made.message);
    expect(made.referral).toMatchObject({
      status: 'referred',
      referredBy: 'nav-1',
      serviceId: 'food-pantry',
    });
    expect(made.message).toContain('Northside Food Pantry');
    expect(await needOf(need.id)).toMatchObject({ status: 'referred', referralServiceId: 'food-pantry' });

    const id = made.referral.id;
    const connected = await world.referrals.update('nav-1', id, 'connected');
    expect(connected).toMatchObject({
      ok: true,
      followUps: 1,
      referral: { status: 'connected', followUpAt: world.ctx.clock() },
    });
    expect(await needOf(need.id)).toMatchObject({ status: 'connected' });
    world.ctx.clock.advance(60_000);
    expect(await world.referrals.update('couns-1', id, 'receiving')).toMatchObject({ ok: true });
    world.ctx.clock.advance(60_000);
    expect(await world.referrals.update('lead-1', id, 'resolved')).toMatchObject({
      ok: true,
      referral: { status: 'resolved', updatedBy: 'lead-1' },
    });
    expect(await needOf(need.id)).toMatchObject({ status: 'resolved', referralServiceId: 'food-pantry' });

    const entries = await audit('referral', id);
    expect(entries.map((e) => [e.actor, e.action, e.after])).toEqual([
      ['staff:nav-1', 'create', { needId: need.id, serviceId: 'food-pantry', status: 'referred' }],
      ['staff:nav-1', 'status', { status: 'connected' }],
      ['system', 'follow_up_sent', { guardians: ['g-en'] }],
      ['staff:couns-1', 'status', { status: 'receiving' }],
      ['staff:lead-1', 'status', { status: 'resolved' }],
    ]);
    expect((await audit('need', need.id)).filter((e) => e.action === 'referral').map((e) => e.after)).toEqual(
      [
        { status: 'referred', referralServiceId: 'food-pantry' },
        { status: 'connected', referralServiceId: 'food-pantry' },
        { status: 'receiving', referralServiceId: 'food-pantry' },
        { status: 'resolved', referralServiceId: 'food-pantry' },
      ],
    );
  });

  it('connected queues one follow-up text in the family language, once; an opted-out family gets none', async () => {
    const need = await world.need('st-es');
    const made = await world.referrals.create('nav-1', need.id, 'food-pantry');
    if (!made.ok) throw new Error(made.message);
    await world.referrals.update('nav-1', made.referral.id, 'connected');
    const rows = (await new OutboxRepository(world.ctx.db).list()).filter(
      (r) => r.purpose === 'referral:follow_up',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      recipientId: 'g-es',
      address: '+15550100002',
      locale: 'es',
      urgent: false,
    });
    expect(rows[0]!.body).toBe('¿Recibió ayuda con la comida? Responda 1 Sí o 2 Todavía no');

    const out = await world.need('st-out');
    const other = await world.referrals.create('nav-1', out.id, 'food-pantry');
    if (!other.ok) throw new Error(other.message);
    const connected = await world.referrals.update('nav-1', other.referral.id, 'connected');
    expect(connected).toMatchObject({ ok: true, followUps: 0, referral: { followUpAt: null } });
    expect(
      (await new OutboxRepository(world.ctx.db).list()).filter((r) => r.recipientId === 'g-out'),
    ).toEqual([]);
  });

  it('declined needs a reason; the need goes back to waiting for a referral', async () => {
    const need = await world.need('st-en');
    const made = await world.referrals.create('nav-1', need.id, 'food-pantry');
    if (!made.ok) throw new Error(made.message);
    const refused = await world.referrals.update('nav-1', made.referral.id, 'declined', '  ');
    expect(refused).toEqual({
      ok: false,
      refusal: 'reason_required',
      message: 'Please give a reason when a referral is declined.',
    });
    const declined = await world.referrals.update(
      'nav-1',
      made.referral.id,
      'declined',
      'The family uses another pantry',
    );
    expect(declined).toMatchObject({
      ok: true,
      referral: { status: 'declined', declineReason: 'The family uses another pantry' },
    });
    expect(await needOf(need.id)).toMatchObject({ status: 'identified', referralServiceId: null });
    const entry = (await audit('referral', made.referral.id)).at(-1);
    expect(entry?.after).toEqual({ status: 'declined', reasonGiven: true });
    expect(JSON.stringify(entry)).not.toContain('pantry');
    // Declined is final, but the need can be referred again.
    expect(await world.referrals.update('nav-1', made.referral.id, 'connected')).toMatchObject({
      ok: false,
      refusal: 'invalid_transition',
    });
    expect(await world.referrals.create('nav-1', need.id, 'food-pantry')).toMatchObject({ ok: true });
  });

  it('moves only forward, or to declined; resolved and declined are final', () => {
    expect(canMove('referred', 'connected')).toBe(true);
    expect(canMove('referred', 'receiving')).toBe(true);
    expect(canMove('connected', 'referred')).toBe(false);
    expect(canMove('receiving', 'connected')).toBe(false);
    expect(canMove('receiving', 'declined')).toBe(true);
    expect(canMove('resolved', 'declined')).toBe(false);
    expect(canMove('declined', 'referred')).toBe(false);
  });
});

describe('referral refusals, as sentences in the person language', () => {
  it('who may act: a navigator only for their caseload, a counselor only for their school, no admins', async () => {
    const need = await world.need('st-en');
    expect(await world.referrals.create('nav-2', need.id, 'food-pantry')).toEqual({
      ok: false,
      refusal: 'not_on_caseload',
      message: 'Solo puede hacer y cambiar derivaciones de estudiantes de su grupo asignado.',
    });
    expect(await world.referrals.create('couns-2', need.id, 'food-pantry')).toEqual({
      ok: false,
      refusal: 'other_school',
      message: 'Solo puede hacer y cambiar derivaciones de estudiantes de su escuela.',
    });
    expect(await world.referrals.create('admin-1', need.id, 'food-pantry')).toMatchObject({
      ok: false,
      refusal: 'role_not_allowed',
      message: 'Only navigators, counselors and lead navigators can make or change referrals.',
    });
    expect(await world.referrals.create('nobody', need.id, 'food-pantry')).toMatchObject({
      ok: false,
      message: 'There is no active staff member with the id nobody.',
    });
    const made = await world.referrals.create('couns-1', need.id, 'food-pantry');
    expect(made).toMatchObject({ ok: true });
    if (!made.ok) return;
    expect(await world.referrals.update('nav-2', made.referral.id, 'connected')).toMatchObject({
      ok: false,
      refusal: 'not_on_caseload',
    });
    expect(await new ReferralRepository(world.ctx.db).referral(made.referral.id)).toMatchObject({
      status: 'referred',
    });
  });

  it('what may be referred: a known, open need; an offered service of the student school; one open referral per service', async () => {
    const need = await world.need('st-en');
    expect(await world.referrals.create('nav-1', 'no-such-need', 'food-pantry')).toMatchObject({
      refusal: 'need_not_found',
      message: 'There is no need with the reference no-such-need.',
    });
    expect(await world.referrals.create('nav-1', need.id, 'nope')).toMatchObject({
      refusal: 'service_not_found',
      message: 'There is no service nope in the catalog.',
    });
    expect(await world.referrals.create('nav-1', need.id, 'old-clinic')).toMatchObject({
      refusal: 'service_inactive',
      message: 'Old Clinic is no longer offered; choose another service.',
    });
    expect(await world.referrals.create('nav-1', need.id, 'bayview-backpacks')).toMatchObject({
      refusal: 'service_other_school',
      message: 'Bayview Backpacks serves only the students of another school.',
    });
    const made = await world.referrals.create('nav-1', need.id, 'food-pantry');
    if (!made.ok) throw new Error(made.message);
    const again = await world.referrals.create('lead-1', need.id, 'food-pantry');
    expect(again).toMatchObject({ ok: false, refusal: 'already_open' });
    expect(again.message).toBe(
      `This need is already referred to Northside Food Pantry (referral ${referralRef(made.referral.id)}).`,
    );
  });

  it('invalid moves, unknown statuses and closed needs are refused by name', async () => {
    const need = await world.need('st-en');
    const made = await world.referrals.create('nav-1', need.id, 'food-pantry');
    if (!made.ok) throw new Error(made.message);
    await world.referrals.update('nav-1', made.referral.id, 'receiving');
    expect(await world.referrals.update('nav-1', made.referral.id, 'connected')).toEqual({
      ok: false,
      refusal: 'invalid_transition',
      message: 'A referral that is receiving help cannot become connected.',
    });
    expect(await world.referrals.update('nav-1', made.referral.id, 'done')).toMatchObject({
      refusal: 'unknown_status',
      message: '"done" is not a referral status; use connected, receiving, resolved or declined.',
    });
    expect(await world.referrals.update('lead-1', 'ZZZZ', 'resolved')).toMatchObject({
      refusal: 'not_found',
      message: 'There is no referral with the reference ZZZZ.',
    });
    await world.referrals.update('nav-1', made.referral.id, 'resolved');
    // A closed need is not referred again.
    const refused = await world.referrals.create('nav-1', need.id, 'food-pantry');
    expect(refused).toMatchObject({
      refusal: 'need_closed',
      message: 'This need is already resolved, so it cannot be referred.',
    });
  });
});
