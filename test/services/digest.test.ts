import { describe, expect, it } from 'vitest';
import { computeDigest } from '../../src/services/digest.js';
import { engineOf } from '../../src/store/db.js';
import { testContext } from '../helpers/context.js';
import { tablesOf } from '../helpers/tables.js';
import { at, checkin, digestOf, SATURDAY, seedSchool, seedWeek, W } from './digest-seed.js';

describe('weekly digest of a school', () => {
  it('counts each navigator’s week: met, not reached, skipped, missed, open, not started, left the caseload, late', async () => {
    const ctx = await testContext({ now: SATURDAY });
    await seedWeek(ctx);
    const d = await digestOf(ctx, { schoolId: 'S1' });
    expect(d.navigators).toEqual([
      {
        schoolId: 'S1',
        navigatorId: 'nav-1',
        caseload: 4,
        met: 2, // st-1, and st-7 who has moved to nav-2 since
        notReached: 1, // st-2 absent
        skipped: 1,
        missed: 1,
        open: 0,
        notStarted: 0,
        schoolBreak: 0,
        leftCaseload: 1,
        late: true,
      },
      {
        schoolId: 'S1',
        navigatorId: 'nav-2',
        caseload: 3,
        met: 1,
        notReached: 0,
        skipped: 0,
        missed: 0,
        open: 1, // st-6 in progress after Wednesday's reminder
        notStarted: 1, // st-7 came after the prompt
        schoolBreak: 0,
        leftCaseload: 0,
        late: true,
      },
    ]);
    // 3 completed of 6 expected (7 rows, 1 skipped), st-2 absent only attempted; last week 2 of 4, st-2
    // unreachable attempted.
    expect(d.completion).toEqual({ week: W, expected: 6, completed: 3, attempted: 1, rate: 3 / 6 });
    expect(d.change).toMatchObject({ completionRate: 50 - 50, completed: 1, missed: 0 });
    expect(d.trend.map((t) => [t.week, t.expected, t.completed])).toEqual([
      ['2026-W43', 0, 0],
      ['2026-W44', 0, 0],
      ['2026-W45', 0, 0],
      ['2026-W46', 0, 0],
      ['2026-W47', 4, 2],
      ['2026-W48', 6, 3],
    ]);
  });

  it('is not late on Monday with the week still open', async () => {
    const ctx = await testContext({ now: at('2026-11-23T18:00:00Z') });
    await seedSchool(ctx);
    await checkin(ctx, W, 'nav-2', 'st-5', 'in_progress');
    const d = await digestOf(ctx, { schoolId: 'S1' });
    expect(d.navigators.find((n) => n.navigatorId === 'nav-2')).toMatchObject({
      open: 1,
      notStarted: 2,
      late: false,
    });
  });

  it('counts families by home language and says why the silent ones are silent', async () => {
    const ctx = await testContext({ now: SATURDAY });
    await seedWeek(ctx);
    const d = await digestOf(ctx, { schoolId: 'S1' });
    expect(d.families).toMatchObject({
      families: 7,
      texted: 3, // g-1, g-2, g-5
      delivered: 2, // g-1, g-5
      replied: 1, // g-1
      optedOut: 1, // g-4
      optedOutThisWeek: 1,
      unreachable: 2, // g-3 no phone, g-6 invalid
    });
    expect(d.families.byLanguage).toEqual({
      en: {
        families: 4,
        texted: 2,
        delivered: 1,
        replied: 0,
        optedOut: 0,
        optedOutThisWeek: 0,
        unreachable: 1,
      },
      es: {
        families: 2,
        texted: 1,
        delivered: 1,
        replied: 1,
        optedOut: 0,
        optedOutThisWeek: 0,
        unreachable: 1,
      },
      vi: {
        families: 1,
        texted: 0,
        delivered: 0,
        replied: 0,
        optedOut: 1,
        optedOutThisWeek: 1,
        unreachable: 0,
      },
    });
    // g-7 joined two weeks ago: not silent yet.
    expect(d.families.silent.guardians).toEqual([
      { guardianId: 'g-2', reason: 'not_delivered' },
      { guardianId: 'g-3', reason: 'no_phone' },
      { guardianId: 'g-4', reason: 'opted_out' },
      { guardianId: 'g-5', reason: 'delivered_no_reply' },
      { guardianId: 'g-6', reason: 'invalid_number' },
    ]);
    expect(d.families.silent).toMatchObject({ weeks: 3, total: 5 });
    expect(d.families.silent.byReason).toMatchObject({
      no_phone: 1,
      opted_out: 1,
      delivered_no_reply: 1,
      not_texted: 0,
    });
  });

  it('counts new needs by area and severity, and open needs waiting without a referral', async () => {
    const ctx = await testContext({ now: SATURDAY });
    await seedWeek(ctx);
    const d = await digestOf(ctx, { schoolId: 'S1' });
    expect(d.needs.newThisWeek).toEqual({
      total: 3,
      byArea: {
        food_security: { low: 0, medium: 0, high: 1 },
        academic: { low: 1, medium: 1, high: 0 },
      },
    });
    // n-4 is 27 days old with no referral; n-5 was referred; n-6 is 8 days old; n-7 is resolved.
    expect(d.needs.waitingWithoutReferral).toEqual({
      olderThanDays: 14,
      total: 1,
      byArea: { housing_stability: 1 },
    });
    // Last week: n-6 (Friday) and n-8.
    expect(d.change.newNeeds).toBe(3 - 2);
    const week = await digestOf(ctx, { schoolId: 'S1' }, { waitingNeedDays: 7 });
    expect(week.needs.waitingWithoutReferral).toMatchObject({
      olderThanDays: 7,
      total: 3, // n-4, n-6 (8 days), n-8 (11 days)
    });
  });

  it('counts escalations open, overdue and resolved, and the median time to claim', async () => {
    const ctx = await testContext({ now: SATURDAY });
    await seedWeek(ctx);
    const d = await digestOf(ctx, { schoolId: 'S1' });
    // Picked up this week after 30 min (e-1), 3 days (e-3) and 10 min (e-4).
    expect(d.escalations).toEqual({
      raised: 3,
      open: 3,
      overdue: 1,
      resolved: 1,
      claimed: 3,
      medianMinutesToClaim: 30,
    });
    // At the end of last week only e-3 was open (and overdue since Sunday).
    expect(d.change.escalationsOpen).toBe(3 - 1);
  });

  it('shows a break week as such, and refuses an unknown school or a malformed week', async () => {
    const ctx = await testContext({ now: SATURDAY });
    await seedSchool(ctx);
    const calendar = {
      district: { breaks: [{ name: 'Thanksgiving', from: '2026-11-23', to: '2026-11-27' }] },
      schools: {},
    };
    const d = await digestOf(ctx, { schoolId: 'S1' }, { calendar });
    expect(d.breakSchools).toEqual(['S1']);
    expect(d.navigators.map((n) => [n.navigatorId, n.schoolBreak, n.notStarted, n.late])).toEqual([
      ['nav-1', 4, 0, false],
      ['nav-2', 3, 0, false],
    ]);
    expect(await computeDigest(ctx, { schoolId: 'nope' }, W)).toEqual({
      ok: false,
      problem: 'digest:unknown_school',
    });
    expect(await computeDigest(ctx, { schoolId: 'S1' }, '2026-48')).toEqual({
      ok: false,
      problem: 'digest:invalid_week',
    });
  });
});

describe('weekly digest of the district', () => {
  it('adds the schools up and counts a family with children in two schools once', async () => {
    const ctx = await testContext({ now: SATURDAY });
    await seedWeek(ctx);
    const d = await digestOf(ctx, { district: true });
    expect(d.scope).toBe('district');
    // Schools in name order: Harbor High, then Lincoln Middle.
    expect(d.navigators.map((n) => n.navigatorId)).toEqual(['nav-9', 'nav-1', 'nav-2']);
    expect(d.completion).toMatchObject({ expected: 7, completed: 4, attempted: 1 });
    expect(d.families).toMatchObject({ families: 8, texted: 4, replied: 2 });
    expect(d.families.byLanguage.so).toMatchObject({ families: 1, replied: 1 });
    expect(d.needs.newThisWeek.total).toBe(4);
    expect(d.escalations.open).toBe(3);
  });

  it('counts the texts from numbers not on the roster in the district digest only', async () => {
    const ctx = await testContext({ now: SATURDAY });
    await seedWeek(ctx);
    const text = (id: string, receivedAt: number, guardianId: string | null) => ({
      id,
      channel: 'sms',
      eventId: `SM${id}`,
      guardianId,
      address: '+13125550199',
      body: 'hello?',
      meaning: 'note',
      receivedAt,
    });
    await engineOf(ctx.db)
      .insert(tablesOf(ctx.db).familyTexts)
      .values([
        text('t1', at('2026-11-24T15:00:00Z'), null),
        text('t2', at('2026-11-25T15:00:00Z'), null),
        text('t3', at('2026-11-17T15:00:00Z'), null), // the week before
      ]);
    expect((await digestOf(ctx, { district: true })).unknownNumberTexts).toBe(2);
    expect((await digestOf(ctx, { schoolId: 'S1' })).unknownNumberTexts).toBeUndefined();
  });
});
