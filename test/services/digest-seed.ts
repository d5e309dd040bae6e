import { computeDigest } from '../../src/services/digest.js';
import type { Digest } from '../../src/services/digest-figures.js';
import { engineOf } from '../../src/store/db.js';
import type { testContext } from '../helpers/context.js';
import { tablesOf } from '../helpers/tables.js';

// The digest tests' school: a small school whose week is written row by row, so every expected figure below is counted by hand from
// these rows, not by the digest's own queries. Week 2026-W48 runs Monday 23 to Sunday 29 November (Chicago).
export const W = '2026-W48';
export const at = (iso: string) => Date.parse(iso);
export const LONG_AGO = at('2026-09-01T12:00:00Z');
export const SATURDAY = at('2026-11-28T12:00:00Z');

export type Ctx = Awaited<ReturnType<typeof testContext>>;

export async function seedSchool(ctx: Ctx) {
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

export async function checkin(
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

export async function answer(
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
export async function textTo(ctx: Ctx, guardianId: string, sentAt: string, status: 'sent' | 'delivered') {
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

export async function need(
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

export async function escalation(
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
export async function seedWeek(ctx: Ctx) {
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

export async function digestOf(
  ctx: Ctx,
  scope: Parameters<typeof computeDigest>[1],
  options = {},
): Promise<Digest> {
  const result = await computeDigest(ctx, scope, W, options);
  if (!result.ok) throw new Error(result.problem);
  return result.digest;
}
