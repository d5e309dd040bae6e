import { describe, expect, it } from 'vitest';
import { computeDigest } from '../../src/services/digest.js';
import { NOW, PHONES, referralWorld } from './referrals-setup.js';

const DAY = 86_400_000;

describe('referral figures in the lead navigators digest', () => {
  it('referrals waiting by status, made and closed this week, "not yet" answers; needs waiting use the referrals table', async () => {
    const world = await referralWorld();
    const { ctx, referrals } = world;
    const ok = <T extends { ok: boolean }>(r: T) => {
      if (!r.ok) throw new Error(JSON.stringify(r));
      return r as Extract<T, { ok: true }>;
    };

    // Three weeks ago: needs recorded, and one referral made then.
    ctx.clock.set(NOW - 21 * DAY);
    const housing = await world.need('st-en', 'housing_stability');
    const oldFood = await world.need('st-out', 'food_security');
    const transport = await world.need('st-es', 'transportation');
    const old = ok(await referrals.create('nav-1', transport.id, 'food-pantry'));
    // Last week: the housing need referred and declined, so it waits again.
    ctx.clock.set(NOW - 8 * DAY);
    const declined = ok(await referrals.create('nav-1', housing.id, 'food-pantry'));
    ok(await referrals.update('nav-1', declined.referral.id, 'declined', 'Not what the family needs'));

    // This week (Tuesday): two new referrals; one family says "not yet", the other is receiving.
    ctx.clock.set(NOW);
    const enFood = await world.need('st-en');
    const esFood = await world.need('st-es');
    const en = ok(await referrals.create('nav-1', enFood.id, 'food-pantry'));
    const es = ok(await referrals.create('nav-1', esFood.id, 'food-pantry'));
    ok(await referrals.update('nav-1', en.referral.id, 'connected'));
    ok(await referrals.update('nav-1', es.referral.id, 'connected'));
    ctx.clock.advance(60 * 60_000);
    await world.inbound.receive(world.textFrom(PHONES.en, '2'));
    await world.inbound.receive(world.textFrom(PHONES.es, '1'));
    ok(await referrals.update('couns-1', old.referral.id, 'resolved'));

    const result = await computeDigest(ctx, { schoolId: 'sch-1' }, '2026-W48');
    if (!result.ok) throw new Error(result.problem);
    const d = result.digest;
    expect(d.referrals).toEqual({
      waiting: { total: 2, byStatus: { referred: 0, connected: 1, receiving: 1 } },
      madeThisWeek: 2,
      resolvedThisWeek: 1,
      declinedThisWeek: 0,
      familySaidNotYet: 1,
    });
    // Older than 14 days and not referred: the opted-out family's food need, and the housing need whose only
    // referral was declined. The transport need was referred three weeks ago.
    expect(d.needs.waitingWithoutReferral).toEqual({
      olderThanDays: 14,
      total: 2,
      byArea: { food_security: 1, housing_stability: 1 },
    });
    expect(oldFood.status).toBe('identified');

    // Last week's digest: the declined referral was closed then, and the transport referral was waiting.
    const last = await computeDigest(ctx, { schoolId: 'sch-1' }, '2026-W47');
    if (!last.ok) throw new Error(last.problem);
    expect(last.digest.referrals).toMatchObject({ madeThisWeek: 1, declinedThisWeek: 1 });
  });
});
