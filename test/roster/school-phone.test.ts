import { describe, expect, it } from 'vitest';
import { exportRoster } from '../../src/roster/export.js';
import { importRoster } from '../../src/roster/import.js';
import { changedCount } from '../../src/roster/report.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { testContext } from './helpers.js';

const STAFF_HEADER = 'staff_id,name,email,role,school_id,school_name,school_timezone,school_phone';
const STUDENT_HEADER =
  'student_id,first_name,last_name,grade,school_id,school_name,school_timezone,school_phone,navigator_id';
const staff = (...rows: string[]) => ({ name: 'staff.csv', text: `${[STAFF_HEADER, ...rows].join('\n')}\n` });
const students = (...rows: string[]) => ({
  name: 'students.csv',
  text: `${[STUDENT_HEADER, ...rows].join('\n')}\n`,
});
const LEAD = 'lead-a,Dana,dana@example.org,lead_navigator,sch-a,Lincoln,America/Chicago';

const lines = (report: Awaited<ReturnType<typeof importRoster>>) =>
  report.problems
    .filter((p) => p.severity === 'error')
    .map((p) => `${p.file}:${p.line} ${p.column}: ${p.message}`);

describe('school_phone', () => {
  it('is declared by the first row, normalised to E.164, and audit-logged with the school', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [
      staff(`${LEAD},(312) 555-0100`, 'nav-a,Priya,priya@example.org,navigator,sch-a,,,'),
      students('S1,Ana,Ruiz,5,sch-a,,,312.555.0100,nav-a', 'S2,Ben,Ruiz,3,sch-a,,,,nav-a'),
    ]);
    expect(lines(report)).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect((await new RosterRepository(ctx.db).school('sch-a'))?.phone).toBe('+13125550100');
    const audit = await new AuditRepository(ctx.db).listFor('school', 'sch-a');
    expect(audit.map((a) => [a.action, (a.after as { phone?: string }).phone])).toEqual([
      ['create', '+13125550100'],
    ]);
  });

  it('rejects a later row that gives another phone, naming the declaring line, across files', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [
      staff(`${LEAD},(312) 555-0100`, 'nav-a,Priya,priya@example.org,navigator,sch-a,,,+1 312 555 0100'),
      students('S1,Ana,Ruiz,5,sch-a,,,312-555-0199,'),
    ]);
    expect(lines(report)).toEqual([
      'students.csv:2 school_phone: school sch-a has a different phone on staff.csv:2',
    ]);
    const roster = new RosterRepository(ctx.db);
    expect((await roster.school('sch-a'))?.phone).toBe('+13125550100');
    expect(await roster.student('S1')).toBeUndefined();
    expect(await roster.staffById('nav-a')).toBeDefined();
  });

  it('reports an invalid phone with file, line and column and leaves the row out', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [
      staff(`${LEAD},`, 'nav-a,Priya,priya@example.org,navigator,sch-a,,,312-555-CALL'),
      students('S1,Ana,Ruiz,5,sch-a,,,555-01,', 'S2,Ben,Ruiz,5,sch-a,,,+52 55 1234 5678,'),
    ]);
    expect(lines(report)).toEqual([
      'staff.csv:3 school_phone: contains letters; give digits only',
      'students.csv:2 school_phone: too short to be a phone number',
      'students.csv:3 school_phone: foreign number (+52); only +1 numbers can be texted',
    ]);
    expect(report.rows).toEqual({ read: 4, accepted: 1, rejected: 3 });
    expect((await new RosterRepository(ctx.db).school('sch-a'))?.phone).toBeNull();
  });

  it('exports the phone in the same column; re-importing changes nothing, a blank keeps it, a new one updates it', async () => {
    const ctx = await testContext();
    await importRoster(ctx, [staff(`${LEAD},(312) 555-0100`), students('S1,Ana,Ruiz,5,sch-a,,,,')]);
    const exported = await exportRoster(ctx);
    const staffLines = exported.staff.trim().split('\n');
    expect(staffLines[0]).toContain('school_timezone,school_phone,timezone');
    expect(staffLines[1]).toContain(',sch-a,Lincoln,America/Chicago,+13125550100,');
    expect(exported.students.trim().split('\n')[1]).toContain(',sch-a,Lincoln,America/Chicago,+13125550100,');

    const again = await importRoster(ctx, [
      { name: 'staff.csv', text: exported.staff },
      { name: 'students.csv', text: exported.students },
    ]);
    expect(again.exitCode).toBe(0);
    expect(changedCount(again)).toBe(0);

    const fresh = await testContext();
    await importRoster(fresh, [
      { name: 'staff.csv', text: exported.staff },
      { name: 'students.csv', text: exported.students },
    ]);
    expect(await exportRoster(fresh)).toEqual(exported);

    // A partial file without the column must not erase the stored phone.
    expect(changedCount(await importRoster(ctx, [students('S1,Ana,Ruiz,5,sch-a,,,,')]))).toBe(0);
    expect((await new RosterRepository(ctx.db).school('sch-a'))?.phone).toBe('+13125550100');

    const moved = await importRoster(ctx, [students('S1,Ana,Ruiz,5,sch-a,,,(312) 555-0177,')]);
    expect(moved.changes.schools.updated).toBe(1);
    const update = (await new AuditRepository(ctx.db).listFor('school', 'sch-a')).find(
      (a) => a.action === 'update',
    );
    expect(update).toMatchObject({ before: { phone: '+13125550100' }, after: { phone: '+13125550177' } });
  });
});
