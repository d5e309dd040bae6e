import { describe, expect, it } from 'vitest';
import { computeDigest } from '../../src/services/digest.js';
import type { Digest } from '../../src/services/digest-figures.js';
import { engineOf } from '../../src/store/db.js';
import { testContext } from '../helpers/context.js';
import { tablesOf } from '../helpers/tables.js';

// A small school whose week is written row by row, so every expected figure below is counted by hand from
// these rows, not by the digest's own queries. Week 2026-W48 runs Monday 23 to Sunday 29 November (Chicago).
const W = '2026-W48';
const at = (iso: string) => Date.parse(iso);
const LONG_AGO = at('2026-09-01T12:00:00Z');
const SATURDAY = at('2026-11-28T12:00:00Z');

type Ctx = Awaited<ReturnType<typeof testContext>>;

async function seedSchool(ctx: Ctx) {
  const { schools, staff, students, assignments, guardians, consents, studentGuardians } = tablesOf(ctx.db);
  const db = engineOf(ctx.db);
  const base = { createdAt: LONG_AGO, updatedAt: LONG_AGO };
  await db.insert(schools).values([
    { id: 'S1', name: 'Lincoln Middle', timezone: 'America/Chicago', ...base },
    { id: 'S2', name: 'Harbor High', timezone: 'America/Chicago', ...base },
  ]);
  const person = (id: string, schoolId: string, role: 'navigator' | 'lead_navigator') => ({
    id,
    schoolId,
    name: `Staff ${id}`,
    email: `${id}@example.org`,
    role,
    timezone: 'America/Chicago',
    ...base,
  });
  await db
    .insert(staff)
    .values([
      person('nav-1', 'S1', 'navigator'),
      person('nav-2', 'S1', 'navigator'),
      person('lead-1', 'S1', 'lead_navigator'),
      person('nav-9', 'S2', 'navigator'),
    ]);
  const kids: [string, string, string, string][] = [
    // student, school, grade, navigator now
    ['st-1', 'S1', '6', 'nav-1'],
    ['st-2', 'S1', '6', 'nav-1'],
    ['st-3', 'S1', '7', 'nav-1'],
    ['st-4', 'S1', '7', 'nav-1'],
    ['st-5', 'S1', '8', 'nav-2'],
    ['st-6', 'S1', '8', 'nav-2'],
    ['st-7', 'S1', '8', 'nav-2'], // nav-1's until this week's check-in, then moved to nav-2
    ['st-9', 'S2', '10', 'nav-9'],
  ];
  for (const [id, schoolId, grade, navigatorId] of kids) {
    await db
      .insert(students)
      .values({ id, schoolId, firstName: `Kid${id}`, lastName: 'Zed', grade, ...base });
    await db.insert(assignments).values({ studentId: id, navigatorId, assignedAt: LONG_AGO });
  }
  const families: [string, string, string | null, 'active' | 'opted_out' | 'invalid', number][] = [
    ['g-1', 'es', '+13125550101', 'active', LONG_AGO],
    ['g-2', 'en', '+13125550102', 'active', LONG_AGO],
    ['g-3', 'es', null, 'active', LONG_AGO],
    ['g-4', 'vi', '+13125550104', 'opted_out', LONG_AGO],
    ['g-5', 'en', '+13125550105', 'active', LONG_AGO],
    ['g-6', 'en', '+13125550106', 'invalid', LONG_AGO],
    ['g-7', 'en', '+13125550107', 'active', at('2026-11-18T12:00:00Z')], // joined the roster in W47
    ['g-9', 'so', '+13125550109', 'active', LONG_AGO],
  ];
  for (const [id, locale, phone, smsStatus, createdAt] of families) {
    await db.insert(guardians).values({
      id,
      name: `Family ${id}`,
      phone,
      locale,
      timezone: 'America/Chicago',
      smsStatus,
      createdAt,
      updatedAt: createdAt,
    });
    await db.insert(consents).values({
      guardianId: id,
      status: 'granted',
      source: 'roster_import',
      locale,
      actor: 'test',
      recordedAt: createdAt,
    });
  }
  const links: [string, string][] = [
    ['st-1', 'g-1'],
    ['st-2', 'g-2'],
    ['st-3', 'g-3'],
    ['st-4', 'g-4'],
    ['st-5', 'g-5'],
    ['st-6', 'g-6'],
    ['st-7', 'g-7'],
    ['st-9', 'g-9'],
    ['st-9', 'g-1'], // g-1 has children in both schools
  ];
  for (const [studentId, guardianId] of links)
    await db.insert(studentGuardians).values({ studentId, guardianId, createdAt: LONG_AGO });
  await db.insert(consents).values({
    guardianId: 'g-4',
    status: 'revoked',
    source: 'sms_keyword',
    locale: 'vi',
    actor: 'test',
    recordedAt: at('2026-11-24T18:00:00Z'),
  });
}

async function checkin(
  ctx: Ctx,
  period: string,
  navigatorId: string,
  studentId: string,
  status: 'pending' | 'in_progress' | 'completed' | 'skipped' | 'missed',
  connect?: 'met' | 'unreachable' | 'absent',
) {
  const { checkins } = tablesOf(ctx.db);
  const db = engineOf(ctx.db);
  const id = `c-${period}-${studentId}`;
  const when = at('2026-11-23T15:00:00Z');
  await db.insert(checkins).values({
    id,
    kind: 'navigator',
    period,
    subject: `nav:${navigatorId}:${studentId}`,
    studentId,
    navigatorId,
    status,
    createdAt: when,
    updatedAt: when,
  });
  if (connect)
    await answer(ctx, {
      checkinId: id,
      studentId,
      stepId: 'connect',
      value: connect,
      by: `staff:${navigatorId}`,
      when,
    });
}

async function answer(
  ctx: Ctx,
  a: {
    checkinId: string | null;
    studentId: string | null;
    stepId: string;
    value: unknown;
    by: string;
    when: number;
  },
) {
  const { answers } = tablesOf(ctx.db);
  await engineOf(ctx.db)
    .insert(answers)
    .values({
      id: `a-${a.checkinId ?? a.by}-${a.stepId}-${a.when}`,
      checkinId: a.checkinId,
      sessionId: 'sess',
      studentId: a.studentId,
      stepId: a.stepId,
      questionKey: `q.${a.stepId}`,
      questionText: 'Q?',
      locale: 'en',
      scriptId: 'x',
      scriptVersion: 1,
      value: a.value,
      answeredBy: a.by,
      answeredAt: a.when,
    });
}

let texts = 0;
async function textTo(ctx: Ctx, guardianId: string, sentAt: string, status: 'sent' | 'delivered') {
  const { outbox } = tablesOf(ctx.db);
  texts += 1;
  const when = at(sentAt);
  await engineOf(ctx.db)
    .insert(outbox)
    .values({
      id: `o-${texts}`,
      idempotencyKey: `k-${texts}`,
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: guardianId,
      address: '+13125550100',
      purpose: 'family_checkin',
      locale: 'en',
      payload: { key: 'family.how_is' },
      status,
      notBefore: when,
      createdAt: when,
      updatedAt: when,
      sentAt: when,
    });
}

async function need(
  ctx: Ctx,
  id: string,
  studentId: string,
  area:
    | 'academic'
    | 'food_security'
    | 'housing_stability'
    | 'transportation'
    | 'attendance'
    | 'other'
    | 'safety',
  severity: 'low' | 'medium' | 'high',
  createdAt: string,
  extra: { status?: 'identified' | 'referred' | 'resolved'; referralServiceId?: string } = {},
) {
  const { needs } = tablesOf(ctx.db);
  await engineOf(ctx.db)
    .insert(needs)
    .values({
      id,
      studentId,
      area,
      severity,
      source: 'navigator',
      raisedBy: 'staff:nav-1',
      createdAt: at(createdAt),
      updatedAt: at(createdAt),
      ...extra,
    });
}

async function escalation(
  ctx: Ctx,
  e: {
    id: string;
    studentId?: string;
    guardianId?: string;
    urgent?: boolean;
    created: string;
    due: string;
    status: 'open' | 'claimed' | 'resolved';
  },
  actions: [action: 'claim' | 'resolve', when: string][] = [],
) {
  const { escalations, auditLog } = tablesOf(ctx.db);
  const db = engineOf(ctx.db);
  await db.insert(escalations).values({
    id: e.id,
    studentId: e.studentId ?? null,
    guardianId: e.guardianId ?? null,
    trigger: 'navigator_request',
    urgent: e.urgent ?? false,
    source: 'navigator',
    raisedBy: 'staff:nav-1',
    status: e.status,
    summary: 'navigator_request',
    dueAt: at(e.due),
    createdAt: at(e.created),
    updatedAt: at(e.created),
  });
  for (const [action, when] of actions)
    await db.insert(auditLog).values({
      at: at(when),
      actor: 'staff:c-1',
      entity: 'escalation',
      entityId: e.id,
      action,
      before: null,
      after: null,
    });
}

/** The school's last two weeks, as the comments in the test spell out. */
async function seedWeek(ctx: Ctx) {
  await seedSchool(ctx);
  // This week.
  await checkin(ctx, W, 'nav-1', 'st-1', 'completed', 'met');
  await checkin(ctx, W, 'nav-1', 'st-2', 'completed', 'absent');
  await checkin(ctx, W, 'nav-1', 'st-3', 'missed');
  await checkin(ctx, W, 'nav-1', 'st-4', 'skipped');
  await checkin(ctx, W, 'nav-1', 'st-7', 'completed', 'met');
  await checkin(ctx, W, 'nav-2', 'st-5', 'completed', 'met');
  await checkin(ctx, W, 'nav-2', 'st-6', 'in_progress');
  await checkin(ctx, W, 'nav-9', 'st-9', 'completed', 'met');
  // Last week.
  await checkin(ctx, '2026-W47', 'nav-1', 'st-1', 'completed', 'met');
  await checkin(ctx, '2026-W47', 'nav-1', 'st-2', 'completed', 'unreachable');
  await checkin(ctx, '2026-W47', 'nav-1', 'st-3', 'completed', 'met');
  await checkin(ctx, '2026-W47', 'nav-1', 'st-4', 'missed');

  await textTo(ctx, 'g-1', '2026-11-24T23:00:00Z', 'delivered');
  await answer(ctx, {
    checkinId: null,
    studentId: 'st-1',
    stepId: 'how_is',
    value: 'good',
    by: 'guardian:g-1',
    when: at('2026-11-25T01:00:00Z'),
  });
  await textTo(ctx, 'g-2', '2026-11-24T23:00:00Z', 'sent');
  await textTo(ctx, 'g-5', '2026-11-10T23:00:00Z', 'delivered'); // W46
  await textTo(ctx, 'g-5', '2026-11-24T23:00:00Z', 'delivered');
  await textTo(ctx, 'g-9', '2026-11-24T23:00:00Z', 'delivered');
  await answer(ctx, {
    checkinId: null,
    studentId: 'st-9',
    stepId: 'how_is',
    value: 'ok',
    by: 'guardian:g-9',
    when: at('2026-11-25T02:00:00Z'),
  });

  await need(ctx, 'n-1', 'st-1', 'food_security', 'high', '2026-11-24T15:00:00Z');
  await need(ctx, 'n-2', 'st-2', 'academic', 'low', '2026-11-24T15:00:00Z');
  await need(ctx, 'n-3', 'st-5', 'academic', 'medium', '2026-11-25T15:00:00Z');
  await need(ctx, 'n-4', 'st-3', 'housing_stability', 'medium', '2026-11-01T15:00:00Z');
  await need(ctx, 'n-5', 'st-4', 'transportation', 'low', '2026-11-01T15:00:00Z', {
    status: 'referred',
    referralServiceId: 'svc-1',
  });
  await need(ctx, 'n-6', 'st-6', 'attendance', 'low', '2026-11-20T15:00:00Z');
  await need(ctx, 'n-7', 'st-1', 'other', 'low', '2026-10-01T15:00:00Z', { status: 'resolved' });
  await need(ctx, 'n-8', 'st-2', 'safety', 'low', '2026-11-17T15:00:00Z'); // W47
  await need(ctx, 'n-9', 'st-9', 'academic', 'high', '2026-11-24T15:00:00Z');

  await escalation(
    ctx,
    {
      id: 'e-1',
      studentId: 'st-1',
      created: '2026-11-23T15:00:00Z',
      due: '2026-11-25T15:00:00Z',
      status: 'claimed',
    },
    [['claim', '2026-11-23T15:30:00Z']],
  );
  await escalation(ctx, {
    id: 'e-2',
    studentId: 'st-2',
    created: '2026-11-24T15:00:00Z',
    due: '2026-11-26T15:00:00Z',
    status: 'open',
  });
  await escalation(
    ctx,
    {
      id: 'e-3',
      studentId: 'st-5',
      created: '2026-11-20T15:00:00Z',
      due: '2026-11-22T15:00:00Z',
      status: 'resolved',
    },
    [
      ['claim', '2026-11-23T15:00:00Z'],
      ['resolve', '2026-11-25T15:00:00Z'],
    ],
  );
  await escalation(
    ctx,
    {
      id: 'e-4',
      guardianId: 'g-4',
      urgent: true,
      created: '2026-11-26T12:00:00Z',
      due: '2026-11-26T12:30:00Z',
      status: 'claimed',
    },
    [['claim', '2026-11-26T12:10:00Z']],
  );
}

async function digestOf(ctx: Ctx, scope: Parameters<typeof computeDigest>[1], options = {}): Promise<Digest> {
  const result = await computeDigest(ctx, scope, W, options);
  if (!result.ok) throw new Error(result.problem);
  return result.digest;
}

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
