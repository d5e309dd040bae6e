import { describe, expect, it } from 'vitest';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { ConsentRepository } from '../../src/store/repositories/consents.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { testContext } from '../roster/helpers.js';

describe('seedDemoRoster', () => {
  it('seeds two schools, four navigators with twelve students each, and changes nothing the second time', async () => {
    const ctx = await testContext();
    const first = await seedDemoRoster(ctx);
    expect(first.created).toBeGreaterThan(0);
    const auditRows = await new AuditRepository(ctx.db).count();
    const second = await seedDemoRoster(ctx);
    expect(second).toMatchObject({ created: 0, updated: 0 });
    expect(await new AuditRepository(ctx.db).count()).toBe(auditRows);

    const roster = new RosterRepository(ctx.db);
    expect((await roster.schools()).map((s) => [s.id, s.timezone, s.phone])).toEqual([
      ['sch-bayview', 'America/Los_Angeles', '+12135550190'],
      ['sch-riverside', 'America/Chicago', '+13125550190'],
    ]);
    const navigators = (await roster.staffList(['navigator'])).map((s) => s.id);
    expect(navigators).toEqual(['nav-1', 'nav-2', 'nav-3', 'nav-4']);
    expect(await Promise.all(navigators.map(async (n) => (await roster.caseloadOf(n)).length))).toEqual([
      12, 12, 12, 12,
    ]);
    for (const school of ['sch-riverside', 'sch-bayview']) {
      const roles = (await roster.staffList())
        .filter((s) => s.schoolId === school)
        .map((s) => s.role)
        .sort();
      expect(roles).toEqual(['counselor', 'lead_navigator', 'navigator', 'navigator']);
    }
    expect((await roster.staffById('nav-3'))?.timezone).toBe('America/Los_Angeles');
    expect(await roster.studentList()).toHaveLength(48);
  });

  it('has guardians in the district languages, families with several children, a shared phone and an unreachable family', async () => {
    const ctx = await testContext();
    await seedDemoRoster(ctx);
    const roster = new RosterRepository(ctx.db);
    const students = await roster.studentList();
    const guardians = new Map(
      (await Promise.all(students.map((s) => roster.guardiansOf(s.id)))).flat().map((g) => [g.id, g]),
    );
    const locales = new Set([...guardians.values()].map((g) => g.locale));
    for (const l of ['en', 'es', 'vi', 'ar', 'zh', 'pt', 'ht', 'so', 'ru']) expect(locales).toContain(l);
    expect(
      (await Promise.all([...guardians.keys()].map((id) => roster.studentsOfGuardian(id)))).filter(
        (children) => children.length > 1,
      ).length,
    ).toBeGreaterThanOrEqual(3);
    const phones = [...guardians.values()].map((g) => g.phone).filter((p): p is string => p !== null);
    expect(phones.length - new Set(phones).size).toBe(1);
    expect(phones.every((p) => /^\+1\d{3}55501\d\d$/.test(p))).toBe(true);
    const linked = await Promise.all(students.map((s) => roster.guardiansOf(s.id)));
    const unreachable = students.filter((_, i) => !linked[i]!.some((g) => g.phone));
    expect(unreachable).toHaveLength(1);
    const consents = new ConsentRepository(ctx.db);
    expect(phones.length).toBeGreaterThan(0);
    for (const g of guardians.values())
      expect(await consents.current(g.id)).toBe(g.phone ? 'granted' : 'none');
  });
});
