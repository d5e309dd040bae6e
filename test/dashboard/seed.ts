import type { AppContext } from '../../src/context.js';
import { engineOf } from '../../src/store/db.js';
import { tablesOf } from '../helpers/tables.js';

// A small district written row by row, so the figures the dashboard must show are known here without running
// the digest's queries. Week 2026-W48 runs Monday 23 to Sunday 29 November (Chicago, UTC-6).

export const WEEK = '2026-W48';
/** Saturday of the week, 12:00 in Chicago: the week is still running. */
export const NOW = Date.parse('2026-11-28T18:00:00Z');
const LONG_AGO = Date.parse('2026-09-01T12:00:00Z');
const IN_W48 = Date.parse('2026-11-24T16:00:00Z');
const IN_W47 = Date.parse('2026-11-17T16:00:00Z');
const IN_W46 = Date.parse('2026-11-10T16:00:00Z');

/** What the seed adds up to, counted by hand from the rows below. */
export const EXPECTED = {
  school: 'Lincoln Middle',
  completion: { completed: 4, expected: 6, rate: '67%' },
  /** Navigator (by name, as the digest lists them: by id) → [met, tried but not reached, not done]. */
  byNavigator: { 'Ana Navarro': [2, 0, 2], 'Ben Brooks': [2, 0, 0] } as Record<string, number[]>,
  /** Home language → replied / texted, in percent. */
  responseRate: { en: 0, es: 50 } as Record<string, number>,
  /** New needs by area in W43..W48. */
  needsByWeek: {
    food_security: [0, 0, 0, 0, 1, 1],
    academic: [0, 0, 0, 0, 0, 1],
    housing_stability: [0, 0, 0, 1, 0, 0],
  } as Record<string, number[]>,
  caseloadOfNav1: ['st-1', 'st-2', 'st-3', 'st-4'],
};

export async function seedDistrict(ctx: Pick<AppContext, 'db'>): Promise<void> {
  const db = engineOf(ctx.db);
  const {
    assignments,
    checkins,
    familyTexts,
    guardians,
    needs,
    outbox,
    referrals,
    schools,
    services,
    staff,
    studentGuardians,
    students,
  } = tablesOf(ctx.db);
  const base = { createdAt: LONG_AGO, updatedAt: LONG_AGO };
  await db.insert(schools).values([
    { id: 'S1', name: 'Lincoln Middle', timezone: 'America/Chicago', ...base },
    { id: 'S2', name: 'Harbor High', timezone: 'America/Chicago', ...base },
  ]);
  const person = (
    id: string,
    name: string,
    schoolId: string | null,
    role: 'navigator' | 'lead_navigator' | 'admin',
    locale = 'en',
  ) => ({
    id,
    name,
    schoolId,
    email: `${id}@example.org`,
    role,
    timezone: 'America/Chicago',
    locale,
    ...base,
  });
  await db
    .insert(staff)
    .values([
      person('nav-1', 'Ana Navarro', 'S1', 'navigator'),
      person('nav-2', 'Ben Brooks', 'S1', 'navigator'),
      person('lead-1', 'Lee Lambert', 'S1', 'lead_navigator'),
      person('lead-es', 'Luz Lozano', 'S1', 'lead_navigator', 'es'),
      person('nav-9', 'Cal Cruz', 'S2', 'navigator'),
      person('lead-9', 'Dee Diaz', 'S2', 'lead_navigator'),
      person('admin-1', 'Ada Admin', null, 'admin'),
    ]);
  const kids: [string, string, string, string, string, string][] = [
    ['st-1', 'S1', 'Maya', 'Lopez', '6', 'nav-1'],
    ['st-2', 'S1', 'Omar', 'Haddad', '6', 'nav-1'],
    ['st-3', 'S1', 'Iris', 'Chen', '7', 'nav-1'],
    ['st-4', 'S1', 'Theo', 'Ruiz', '7', 'nav-1'],
    ['st-5', 'S1', 'Nia', 'Okafor', '8', 'nav-2'],
    ['st-6', 'S1', 'Sam', 'Vu', '8', 'nav-2'],
    ['st-9', 'S2', 'Zoe', 'Park', '10', 'nav-9'],
  ];
  for (const [id, schoolId, firstName, lastName, grade, navigatorId] of kids) {
    await db.insert(students).values({ id, schoolId, firstName, lastName, grade, ...base });
    await db.insert(assignments).values({ studentId: id, navigatorId, assignedAt: LONG_AGO });
  }
  const checkin = async (
    navigatorId: string,
    studentId: string,
    status: 'completed' | 'missed' | 'pending',
  ) =>
    await db.insert(checkins).values({
      id: `c-${navigatorId}-${studentId}`,
      kind: 'navigator',
      period: WEEK,
      subject: `nav:${navigatorId}:${studentId}`,
      studentId,
      navigatorId,
      status,
      createdAt: IN_W48,
      updatedAt: IN_W48,
    });
  await checkin('nav-1', 'st-1', 'completed');
  await checkin('nav-1', 'st-2', 'completed');
  await checkin('nav-1', 'st-3', 'missed');
  await checkin('nav-1', 'st-4', 'pending');
  await checkin('nav-2', 'st-5', 'completed');
  await checkin('nav-2', 'st-6', 'completed');

  const families: [string, string, string][] = [
    ['g-1', 'es', 'st-1'],
    ['g-2', 'en', 'st-2'],
    ['g-3', 'es', 'st-3'],
    ['g-5', 'en', 'st-5'],
  ];
  for (const [id, locale, studentId] of families) {
    await db.insert(guardians).values({
      id,
      name: `Family ${id}`,
      phone: `+1312555${id.slice(2).padStart(4, '0')}`,
      locale,
      timezone: 'America/Chicago',
      ...base,
    });
    await db.insert(studentGuardians).values({ studentId, guardianId: id, createdAt: LONG_AGO });
  }
  // Texted this week: g-1, g-2, g-3 (delivered); g-1 wrote back.
  for (const g of ['g-1', 'g-2', 'g-3'])
    await db.insert(outbox).values({
      id: `o-${g}`,
      idempotencyKey: `family_checkin|${g}|${WEEK}`,
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: g,
      address: `+1312555${g.slice(2).padStart(4, '0')}`,
      purpose: 'family_checkin',
      locale: 'en',
      payload: { key: 'family.how_is' },
      status: 'delivered',
      notBefore: IN_W48,
      sentAt: IN_W48,
      createdAt: IN_W48,
      updatedAt: IN_W48,
    });
  await db.insert(familyTexts).values({
    id: 'ft-1',
    channel: 'sms',
    eventId: 'SM1',
    guardianId: 'g-1',
    address: '+13125550001',
    body: '2',
    meaning: 'answer',
    receivedAt: IN_W48 + 3_600_000,
  });

  const need = async (
    id: string,
    studentId: string,
    area: 'food_security' | 'academic' | 'housing_stability',
    severity: 'low' | 'medium' | 'high',
    createdAt: number,
    extra: { status?: 'referred'; referralServiceId?: string } = {},
  ) =>
    await db.insert(needs).values({
      id,
      studentId,
      area,
      severity,
      source: 'navigator',
      raisedBy: 'staff:nav-1',
      answerText: `private words about ${studentId}`,
      createdAt,
      updatedAt: createdAt,
      ...extra,
    });
  await need('n-1', 'st-1', 'food_security', 'high', IN_W48);
  await need('n-2', 'st-2', 'academic', 'low', IN_W48);
  await need('n-3', 'st-5', 'food_security', 'medium', IN_W47);
  await need('n-4', 'st-3', 'housing_stability', 'high', IN_W46, {
    status: 'referred',
    referralServiceId: 'svc-housing-help',
  });
  await need('n-9', 'st-9', 'academic', 'medium', IN_W48);
  await db.insert(services).values({
    id: 'svc-housing-help',
    name: 'Housing Help Desk',
    needAreas: ['housing_stability'],
    languages: ['en', 'es'],
    ...base,
  });
  await db.insert(referrals).values({
    id: 'r-1',
    needId: 'n-4',
    serviceId: 'svc-housing-help',
    status: 'referred',
    referredBy: 'nav-1',
    updatedBy: 'nav-1',
    createdAt: IN_W46 + 3_600_000,
    updatedAt: IN_W46 + 3_600_000,
  });
}
