import { describe, expect, it } from 'vitest';
import { importRoster } from '../../src/roster/import.js';
import { formatImportReport } from '../../src/roster/report.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { ConsentRepository } from '../../src/store/repositories/consents.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { fixture, T0, testContext } from './helpers.js';

const HEADER =
  'student_id,first_name,last_name,grade,school_id,navigator_id,guardian1_id,guardian1_name,guardian1_phone,guardian1_language,guardian1_sms_consent,guardian2_id,guardian2_name,guardian2_phone,guardian2_language,guardian2_sms_consent';
const students = (...rows: string[]) => ({ name: 'students.csv', text: `${[HEADER, ...rows].join('\n')}\n` });
const staff = fixture('staff.csv');

describe('importRoster: real-life cases', () => {
  it('links a guardian with several students once, and warns when two guardians share a phone', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [
      staff,
      students(
        'S1,Ana,Ruiz,5,sch-a,nav-a,G1,Rosa Ruiz,312-555-0101,es,yes,G2,Luis Ruiz,312-555-0101,es,yes',
        'S2,Ben,Ruiz,3,sch-a,nav-b,G1,Rosa Ruiz,312-555-0101,es,yes,,,,,',
        'S3,Cy,Ruiz,1,sch-a,nav-b,G1,Rosa Ruiz,312-555-0101,es,,,,,,',
      ),
    ]);
    expect(report.exitCode).toBe(0);
    expect(report.changes.guardians.created).toBe(2);
    expect(report.changes.links.created).toBe(4);
    expect(report.problems).toEqual([
      {
        file: 'students.csv',
        line: 2,
        column: 'guardian1_phone',
        severity: 'warning',
        message: 'guardian G1 shares this phone with guardian G2',
      },
      {
        file: 'students.csv',
        line: 2,
        column: 'guardian2_phone',
        severity: 'warning',
        message: 'guardian G2 shares this phone with guardian G1',
      },
    ]);
    const roster = new RosterRepository(ctx.db);
    expect((await roster.studentsOfGuardian('G1')).map((s) => s.id)).toEqual(['S1', 'S2', 'S3']);
    expect((await roster.guardiansByPhone('+13125550101')).map((g) => g.id)).toEqual(['G1', 'G2']);
    expect(await new ConsentRepository(ctx.db).history('G1')).toHaveLength(1);
  });

  it('rejects a row that describes a known guardian differently', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [
      staff,
      students(
        'S1,Ana,Ruiz,5,sch-a,nav-a,G1,Rosa Ruiz,312-555-0101,es,yes,,,,,',
        'S2,Ben,Ruiz,3,sch-a,nav-a,,,,,,G1,Rosa Ruiz,312-555-0199,es,no',
      ),
    ]);
    expect(report.problems.map((p) => `${p.line} ${p.column}: ${p.message}`)).toEqual([
      '3 guardian2_phone: guardian G1 has a different phone on line 2',
      '3 guardian2_sms_consent: guardian G1 has a different sms_consent on line 2',
    ]);
    expect((await new RosterRepository(ctx.db).guardian('G1'))?.phone).toBe('+13125550101');
  });

  it('imports a student with no reachable guardian, with a warning', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [
      staff,
      students('S1,Ana,Ruiz,5,sch-a,nav-a,G1,Rosa Ruiz,,es,,,,,,', 'S2,Ben,Ruiz,5,sch-a,,,,,,,,,,,'),
    ]);
    expect(report.exitCode).toBe(0);
    expect(report.problems.map((p) => `${p.line} ${p.column}: ${p.message}`)).toEqual([
      '2 null: no guardian with a phone number: the family will not get check-in texts',
      '3 navigator_id: no navigator: the student is on no caseload',
      '3 null: no guardian with a phone number: the family will not get check-in texts',
    ]);
    expect(await new RosterRepository(ctx.db).guardian('G1')).toMatchObject({
      phone: null,
      smsStatus: 'unreachable',
    });
  });

  it('warns about a navigator with more students than the configured limit', async () => {
    const ctx = await testContext({ LARGE_CASELOAD_WARNING: '2' });
    const report = await importRoster(ctx, [
      staff,
      students(
        'S1,A,X,5,sch-a,nav-a,,,,,,,,,,',
        'S2,B,X,5,sch-a,nav-a,,,,,,,,,,',
        'S3,C,X,5,sch-a,nav-a,,,,,,,,,,',
        'S4,D,X,5,sch-a,nav-b,,,,,,,,,,',
      ),
    ]);
    expect(report.exitCode).toBe(0);
    expect(report.problems.filter((p) => p.line === null)).toEqual([
      {
        file: 'students.csv',
        line: null,
        column: null,
        severity: 'warning',
        message: 'navigator nav-a has 3 students (more than 2); weekly check-ins may not get done',
      },
    ]);
  });

  it('reports a student moved to another navigator and audit-logs the move with before and after', async () => {
    const ctx = await testContext();
    await importRoster(ctx, [
      staff,
      students('S1,Ana,Ruiz,5,sch-a,nav-a,,,,,,,,,,', 'S2,Ben,Ruiz,5,sch-a,nav-a,,,,,,,,,,'),
    ]);
    ctx.clock.advance(60_000);
    const report = await importRoster(
      ctx,
      [staff, students('S1,Ana,Ruiz,5,sch-a,nav-b,,,,,,,,,,', 'S2,Ben,Ruiz,5,sch-a,nav-a,,,,,,,,,,')],
      { actor: 'cli:admin' },
    );
    expect(report.moves).toEqual([
      { file: 'students.csv', line: 2, studentId: 'S1', from: 'nav-a', to: 'nav-b' },
    ]);
    expect(report.changes.assignments).toEqual({ created: 0, updated: 1, unchanged: 1, removed: 0 });
    expect(formatImportReport(report)).toContain(
      ['Students moved to another navigator:', '  students.csv:2 S1: nav-a -> nav-b'].join('\n'),
    );
    const entries = await new AuditRepository(ctx.db).listFor('assignment', 'S1');
    expect(
      entries.map((e) => ({ action: e.action, before: e.before, after: e.after, actor: e.actor, at: e.at })),
    ).toEqual([
      { action: 'assign', before: null, after: { navigatorId: 'nav-a' }, actor: 'roster_import', at: T0 },
      {
        action: 'move',
        before: { navigatorId: 'nav-a' },
        after: { navigatorId: 'nav-b' },
        actor: 'cli:admin',
        at: T0 + 60_000,
      },
    ]);
    expect((await new RosterRepository(ctx.db).caseloadOf('nav-b')).map((s) => s.id)).toEqual(['S1']);
  });

  it('audit-logs a changed guardian phone and removes a guardian the row no longer names', async () => {
    const ctx = await testContext();
    await importRoster(ctx, [
      staff,
      students('S1,Ana,Ruiz,5,sch-a,nav-a,G1,Rosa Ruiz,312-555-0101,es,,G2,Luis Ruiz,312-555-0102,es,'),
    ]);
    const report = await importRoster(ctx, [
      staff,
      students('S1,Ana,Ruiz,5,sch-a,nav-a,G1,Rosa Ruiz,312-555-0111,es,,,,,,'),
    ]);
    expect(report.changes.guardians).toEqual({ created: 0, updated: 1, unchanged: 0, removed: 0 });
    expect(report.changes.links).toEqual({ created: 0, updated: 0, unchanged: 1, removed: 1 });
    const audit = new AuditRepository(ctx.db);
    const update = (await audit.listFor('guardian', 'G1')).at(-1)!;
    expect(update.action).toBe('update');
    expect(update.before).toMatchObject({ phone: '+13125550101' });
    expect(update.after).toMatchObject({ phone: '+13125550111' });
    expect((await audit.listFor('student_guardian', 'S1:G2')).map((e) => e.action)).toEqual([
      'link',
      'unlink',
    ]);
  });

  it('never grants consent again over a family that stopped texts, but follows its own earlier "no"', async () => {
    const ctx = await testContext();
    const row = (consent: string) =>
      students(`S1,Ana,Ruiz,5,sch-a,nav-a,G1,Rosa Ruiz,312-555-0101,es,${consent},,,,,`);
    await importRoster(ctx, [staff, row('yes')]);
    const consents = new ConsentRepository(ctx.db);
    await consents.record(
      { guardianId: 'G1', status: 'revoked', source: 'sms_keyword', locale: 'es' },
      { actor: 'sms', at: T0 + 1 },
    );
    const report = await importRoster(ctx, [staff, row('yes')]);
    expect(report.problems).toEqual([
      {
        file: 'students.csv',
        line: 2,
        column: 'guardian1_sms_consent',
        severity: 'warning',
        message: 'guardian G1 stopped texts themselves; the roster cannot grant consent again',
      },
    ]);
    expect(await consents.current('G1')).toBe('revoked');

    const other = await testContext();
    await importRoster(other, [staff, row('no')]);
    await importRoster(other, [staff, row('yes')]);
    expect((await new ConsentRepository(other.db).history('G1')).map((c) => [c.status, c.source])).toEqual([
      ['revoked', 'roster_import'],
      ['granted', 'roster_import'],
    ]);
  });

  it('needs a name for a new school and rejects rows that disagree about a school', async () => {
    const ctx = await testContext();
    const text = [
      'staff_id,name,email,role,school_id,school_name,school_timezone',
      'n1,Ann,ann@example.org,navigator,sch-x,,',
      'n2,Bo,bo@example.org,navigator,sch-y,Young School,',
      'n3,Cy,cy@example.org,navigator,sch-y,Young School,America/New_York',
      'n4,Di,di@example.org,navigator,sch-y,Other Name,',
      'n5,Ed,ed@example.org,navigator,,,',
      'n6,Fa,ann@example.org,counselor,,,',
    ].join('\n');
    const report = await importRoster(ctx, [{ name: 'staff.csv', text }]);
    expect(report.problems.map((p) => `${p.line} ${p.severity} ${p.column}: ${p.message}`)).toEqual([
      '2 error school_id: unknown school "sch-x"; give its school_name and school_timezone on one row',
      '5 error school_name: school sch-y is named "Young School" on line 3',
      '7 error email: also given for staff n1 on line 2',
    ]);
    const roster = new RosterRepository(ctx.db);
    expect(await roster.school('sch-y')).toMatchObject({
      name: 'Young School',
      timezone: 'America/New_York',
    });
    expect(await roster.staffById('n5')).toMatchObject({ schoolId: null, timezone: 'America/Chicago' });
    expect((await roster.staffById('n2'))?.timezone).toBe('America/New_York');
  });
});
