import { describe, expect, it } from 'vitest';
import { importRoster } from '../../src/roster/import.js';
import { changedCount, formatImportReport } from '../../src/roster/report.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { ConsentRepository } from '../../src/store/repositories/consents.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { fixture, T0, testContext } from './helpers.js';

describe('importRoster: a file with good and bad rows', () => {
  it('imports the good rows in one go and reports every problem with line, column and reason', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [fixture('staff.csv'), fixture('messy-students.csv')]);
    expect(report.exitCode).toBe(1);
    expect(formatImportReport(report)).toBe(
      [
        'Roster import',
        'Files: staff.csv (staff, 3 rows), messy-students.csv (students, 14 rows)',
        'Rows: 17 read, 8 accepted, 9 rejected',
        '',
        '             created updated unchanged removed',
        'schools            1       0         0       0',
        'staff              3       0         0       0',
        'students           5       0         0       0',
        'guardians          4       0         0       0',
        'links              5       0         0       0',
        'assignments        5       0         0       0',
        'consents           4       0         0       0',
        '',
        'Problems (10 errors, 2 warnings):',
        '  messy-students.csv:4 error guardian1_phone: contains letters; give digits only',
        '  messy-students.csv:5 error guardian1_phone: has an extension; a text message cannot reach an extension',
        '  messy-students.csv:6 error guardian1_phone: too short to be a phone number',
        '  messy-students.csv:7 error guardian1_phone: foreign number (+52); only +1 numbers can be texted',
        '  messy-students.csv:8 warning guardian1_language: unknown language "Klingon"; using en (supported: en, es, ar, zh, vi, pt, ht, so, ru)',
        '  messy-students.csv:9 warning guardian1_language: unknown language "ja"; using en (supported: en, es, ar, zh, vi, pt, ht, so, ru)',
        '  messy-students.csv:9 error guardian1_timezone: "Central Time" is not an IANA time zone such as America/Chicago',
        '  messy-students.csv:10 error student_id: student S1 already appears on line 2',
        '  messy-students.csv:12 error grade: "13" is not a grade (PK, K or 1 to 12)',
        '  messy-students.csv:13 error navigator_id: no staff member "nav-z" in the staff file or the database',
        '  messy-students.csv:14 error first_name: required',
        '  messy-students.csv:14 error guardian1_sms_consent: "maybe" is not yes or no',
        '',
        'Result: 27 changed, 9 rejected, 2 warnings',
      ].join('\n'),
    );
    const roster = new RosterRepository(ctx.db);
    expect((await roster.studentList()).map((s) => [s.id, s.grade])).toEqual([
      ['S1', '5'],
      ['S13', '2'],
      ['S2', 'K'],
      ['S7', '8'],
      ['S9', '3'],
    ]);
    expect(await roster.guardian('G1')).toMatchObject({
      phone: '+13125550101',
      locale: 'es',
      timezone: 'America/Chicago',
    });
    expect((await roster.guardian('G7'))?.locale).toBe('en');
    expect(await roster.guardian('G9')).toMatchObject({ name: 'Nguyen, Lan', locale: 'vi' });
    expect((await roster.guardian('G13'))?.locale).toBe('vi');
    expect(await roster.staffById('lead-a')).toMatchObject({
      role: 'lead_navigator',
      email: 'dana.whitfield@example.org',
    });
    expect(await roster.staffById('nav-b')).toMatchObject({
      timezone: 'America/Denver',
      teamsUserId: 'teams-nav-b',
      locale: 'en',
    });
    const consents = new ConsentRepository(ctx.db);
    expect(await consents.latest('G1')).toMatchObject({
      status: 'granted',
      source: 'roster_import',
      locale: 'es',
      recordedAt: T0,
    });
    expect(await consents.current('G13')).toBe('revoked');
  });

  it('changes nothing and writes no audit rows when the same files are imported again', async () => {
    const ctx = await testContext();
    const files = [fixture('staff.csv'), fixture('messy-students.csv')];
    await importRoster(ctx, files);
    const audit = new AuditRepository(ctx.db);
    const rows = await audit.count();
    expect(rows).toBeGreaterThan(0);
    ctx.clock.advance(86_400_000);
    const again = await importRoster(ctx, files);
    expect(changedCount(again)).toBe(0);
    expect(again.changes.students).toEqual({ created: 0, updated: 0, unchanged: 5, removed: 0 });
    expect(again.changes.consents).toEqual({ created: 0, updated: 0, unchanged: 4, removed: 0 });
    expect(await audit.count()).toBe(rows);
    expect(formatImportReport(again)).toContain('Result: 0 changed, 9 rejected, 2 warnings');
  });

  it('writes nothing in a dry run but reports what would change', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [fixture('staff.csv'), fixture('messy-students.csv')], {
      dryRun: true,
    });
    expect(report.changes.students.created).toBe(5);
    expect(report.exitCode).toBe(1);
    const text = formatImportReport(report);
    expect(text.split('\n')[0]).toBe('Roster check (dry run: nothing was written)');
    expect(text).toContain('Result: 27 would change, 9 rejected, 2 warnings');
    expect(await new AuditRepository(ctx.db).count()).toBe(0);
    const roster = new RosterRepository(ctx.db);
    expect(await roster.schools()).toEqual([]);
    expect(await roster.studentList()).toEqual([]);
    expect(await roster.staffList()).toEqual([]);
  });
});

describe('importRoster: file format', () => {
  it('reads a BOM, CRLF line ends and quoted commas and line breaks, and counts physical lines', async () => {
    const ctx = await testContext();
    const text = [
      '\uFEFFstaff_id,name,email,role,school_id,school_name,school_timezone',
      'nav-a,"Castellanos, Priya",priya@example.org,navigator,sch-a,"Lincoln, Middle ""North""",America/Chicago',
      'nav-b,"Brennan,',
      'Tom",tom@example.org,navigator,sch-a,,',
      'nav-c,Ada Ng,not-an-email,navigator,sch-a,,',
      '',
    ].join('\r\n');
    const report = await importRoster(ctx, [{ name: 'staff.csv', text }]);
    expect(report.problems).toEqual([
      {
        file: 'staff.csv',
        line: 5,
        column: 'email',
        severity: 'error',
        message: '"not-an-email" is not an e-mail address',
      },
    ]);
    const roster = new RosterRepository(ctx.db);
    expect((await roster.staffById('nav-a'))?.name).toBe('Castellanos, Priya');
    expect((await roster.staffById('nav-b'))?.name).toBe('Brennan,\nTom');
    expect((await roster.school('sch-a'))?.name).toBe('Lincoln, Middle "North"');
  });

  it('refuses an empty file as a whole, with exit code 2', async () => {
    const ctx = await testContext();
    for (const text of ['', '\uFEFF', '\r\n\r\n']) {
      const report = await importRoster(ctx, [{ name: 'empty.csv', text }]);
      expect(report.exitCode).toBe(2);
      expect(report.problems).toEqual([
        { file: 'empty.csv', line: null, column: null, severity: 'error', message: 'the file is empty' },
      ]);
    }
    expect(formatImportReport(await importRoster(ctx, [{ name: 'empty.csv', text: '' }]))).toBe(
      [
        'Roster import',
        'Files: empty.csv (unreadable, 0 rows)',
        'Nothing was imported: a file could not be read.',
        '',
        'Problems (1 error, 0 warnings):',
        '  empty.csv error: the file is empty',
        '',
        'Result: nothing imported, 1 file error',
      ].join('\n'),
    );
  });

  it('names the missing required columns and imports nothing, not even from a good file', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [
      fixture('staff.csv'),
      { name: 'students.csv', text: 'Student ID,Last Name,school_id\nS1,Ruiz,sch-a\n' },
    ]);
    expect(report.exitCode).toBe(2);
    expect(report.problems).toEqual([
      {
        file: 'students.csv',
        line: 1,
        column: null,
        severity: 'error',
        message: 'missing required columns: first_name, grade',
      },
    ]);
    expect(await new RosterRepository(ctx.db).staffList()).toEqual([]);
  });

  it('refuses a file that is neither staff nor students, and an unclosed quote', async () => {
    const ctx = await testContext();
    expect((await importRoster(ctx, [{ name: 'x.csv', text: 'id,name\n1,a\n' }])).problems[0]?.message).toBe(
      'not a roster file: it needs a student_id column (students) or a staff_id column (staff)',
    );
    const unclosed = await importRoster(ctx, [
      { name: 'x.csv', text: 'staff_id,name,email,role\nn1,"Ann,a@b.org,navigator\n' },
    ]);
    expect(unclosed.exitCode).toBe(2);
    expect(unclosed.problems[0]?.message).toMatch(/^cannot be read as CSV: Quote Not Closed/);
  });

  it('rejects a row with too many cells and warns about unknown columns; header-only files are fine', async () => {
    const ctx = await testContext();
    const report = await importRoster(ctx, [
      {
        name: 'staff.csv',
        text: 'staff_id,name,email,role,favourite_colour\nn1,Ann, Lee,ann@example.org,admin,blue\n',
      },
    ]);
    expect(report.problems).toEqual([
      {
        file: 'staff.csv',
        line: 1,
        column: 'favourite_colour',
        severity: 'warning',
        message: 'unknown column, ignored',
      },
      {
        file: 'staff.csv',
        line: 2,
        column: null,
        severity: 'error',
        message: 'has 6 cells but the header has 5; quote values that contain commas',
      },
    ]);
    expect(report.rows).toEqual({ read: 1, accepted: 0, rejected: 1 });
    const headerOnly = await importRoster(ctx, [{ name: 'staff.csv', text: 'staff_id,name,email,role\n' }]);
    expect(headerOnly.exitCode).toBe(0);
    expect(headerOnly.rows.read).toBe(0);
  });
});
