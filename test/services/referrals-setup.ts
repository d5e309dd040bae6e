import { createTexts } from '../../src/i18n/index.js';
import { FamilyInboundService, type FamilyText } from '../../src/services/family-inbound.js';
import { FamilySmsService } from '../../src/services/family-sms.js';
import { recordNeed } from '../../src/services/needs.js';
import { ReferralService } from '../../src/services/referrals.js';
import { CatalogRepository } from '../../src/store/repositories/catalog.js';
import { ConsentRepository } from '../../src/store/repositories/consents.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import type { StaffRole } from '../../src/store/schema/index.js';
import type { NeedArea } from '../../src/vocabulary.js';
import { testContext } from '../helpers/context.js';

/** Tuesday 10:00 in Chicago: inside the family sending window. */
export const NOW = Date.parse('2026-11-24T16:00:00Z');
export const PHONES = { en: '+15550100001', es: '+15550100002', out: '+15550100003' } as const;
const by = { actor: 'test', at: 0 };

/**
 * One school (sch-1) with a navigator (nav-1, English) whose caseload is three students: st-en and st-es
 * (their guardians texted in English and Spanish, with consent) and st-out (the family opted out). Another
 * navigator of the school (nav-2, Spanish), a counselor of the school and one of another school (Spanish),
 * a district-wide lead navigator, an admin. The catalog has a district food pantry, a service of the other
 * school only, and one no longer offered.
 */
export async function referralWorld() {
  const ctx = await testContext({ now: NOW, idPrefix: 'r' });
  const roster = new RosterRepository(ctx.db);
  await roster.upsertSchool({ id: 'sch-1', name: 'Lincoln', timezone: 'America/Chicago' }, by);
  await roster.upsertSchool({ id: 'sch-2', name: 'Bayview', timezone: 'America/Chicago' }, by);
  const staff = async (id: string, role: StaffRole, schoolId: string | null, locale = 'en') =>
    roster.upsertStaff(
      {
        id,
        schoolId,
        name: `Staff ${id}`,
        email: `${id}@example.org`,
        role,
        slackUserId: null,
        teamsUserId: null,
        timezone: 'America/Chicago',
        locale,
      },
      by,
    );
  await staff('nav-1', 'navigator', 'sch-1');
  await staff('nav-2', 'navigator', 'sch-1', 'es');
  await staff('couns-1', 'counselor', 'sch-1');
  await staff('couns-2', 'counselor', 'sch-2', 'es');
  await staff('lead-1', 'lead_navigator', null);
  await staff('admin-1', 'admin', null);
  const consents = new ConsentRepository(ctx.db);
  const family = async (student: string, first: string, guardian: string, phone: string, locale: string) => {
    await roster.upsertStudent(
      { id: student, schoolId: 'sch-1', firstName: first, lastName: 'Reyes', grade: '7' },
      by,
    );
    await roster.upsertGuardian(
      { id: guardian, name: `Parent of ${first}`, phone, locale, timezone: 'America/Chicago' },
      by,
    );
    await roster.setGuardians(student, [{ guardianId: guardian, relationship: 'parent' }], by);
    await roster.assignNavigator(student, 'nav-1', by);
    await consents.record({ guardianId: guardian, status: 'granted', source: 'roster_import', locale }, by);
  };
  await family('st-en', 'Ana', 'g-en', PHONES.en, 'en');
  await family('st-es', 'Luis', 'g-es', PHONES.es, 'es');
  await family('st-out', 'Mia', 'g-out', PHONES.out, 'en');
  const texts = createTexts({ defaultLocale: 'en' });
  const sms = new FamilySmsService(ctx, texts);
  const optedOut = (await roster.guardian('g-out'))!;
  await ctx.db.transaction((tx) => sms.optOut(tx, [optedOut], 'sms_keyword', 'test', undefined, PHONES.out));

  const catalog = new CatalogRepository(ctx.db);
  const service = (id: string, name: string, areas: NeedArea[], schoolId: string | null, active = true) =>
    catalog.upsertService(
      {
        id,
        name,
        needAreas: areas,
        contact: null,
        languages: ['en', 'es'],
        hours: null,
        notes: null,
        schoolId,
        active,
      },
      by,
    );
  await service('food-pantry', 'Northside Food Pantry', ['food_security'], null);
  await service('bayview-backpacks', 'Bayview Backpacks', ['food_security'], 'sch-2');
  await service('old-clinic', 'Old Clinic', ['physical_health'], null, false);

  const need = (studentId: string, area: NeedArea = 'food_security') =>
    ctx.db.transaction(
      async (tx) =>
        (
          await recordNeed(tx, ctx, {
            studentId,
            area,
            severity: 'medium',
            source: 'navigator',
            actor: 'staff:nav-1',
          })
        ).need,
    );
  const referrals = new ReferralService(ctx, { followUp: sms });
  const inbound = new FamilyInboundService(ctx, {
    sms,
    continueFamilyDialog: () => ({ ok: true, applied: { answers: 0 } }),
  });
  let n = 0;
  const textFrom = (phone: string, body: string): FamilyText => ({
    channel: 'sms',
    eventId: `SM${++n}`,
    from: phone,
    body,
  });
  return { ctx, sms, texts, need, referrals, inbound, textFrom };
}
