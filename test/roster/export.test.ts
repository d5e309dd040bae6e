import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportRoster } from '../../src/roster/export.js';
import { importRoster } from '../../src/roster/import.js';
import { changedCount } from '../../src/roster/report.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { ConsentRepository } from '../../src/store/repositories/consents.js';
import { T0, testContext } from './helpers.js';

const docs = (name: string) => ({
  name,
  text: readFileSync(join(import.meta.dirname, '../../docs', name), 'utf8'),
});

describe('exportRoster', () => {
  it('round-trips: importing the export changes nothing, and a fresh database exports the same files', async () => {
    const ctx = await testContext();
    const first = await importRoster(ctx, [docs('sample-staff.csv'), docs('sample-roster.csv')]);
    expect(first.exitCode).toBe(0);
    const exported = await exportRoster(ctx);
    const sources = [
      { name: 'staff.csv', text: exported.staff },
      { name: 'students.csv', text: exported.students },
    ];
    const audit = await new AuditRepository(ctx.db).count();
    const again = await importRoster(ctx, sources);
    expect(again.exitCode).toBe(0);
    expect(changedCount(again)).toBe(0);
    expect(await new AuditRepository(ctx.db).count()).toBe(audit);

    const fresh = await testContext();
    expect((await importRoster(fresh, sources)).exitCode).toBe(0);
    expect(await exportRoster(fresh)).toEqual(exported);
  });

  it('writes E.164 phones, locale codes, explicit zones and consent as yes/no/blank', async () => {
    const ctx = await testContext();
    await importRoster(ctx, [docs('sample-staff.csv'), docs('sample-roster.csv')]);
    await new ConsentRepository(ctx.db).record(
      { guardianId: 'G5003', status: 'revoked', source: 'sms_keyword', locale: 'vi' },
      { actor: 'sms', at: T0 + 1 },
    );
    const lines = (await exportRoster(ctx)).students.trim().split('\n');
    expect(lines[0]).toBe(
      'student_id,first_name,last_name,grade,school_id,school_name,school_timezone,school_phone,navigator_id,guardian1_id,guardian1_name,guardian1_phone,guardian1_language,guardian1_timezone,guardian1_relationship,guardian1_sms_consent,guardian2_id,guardian2_name,guardian2_phone,guardian2_language,guardian2_timezone,guardian2_relationship,guardian2_sms_consent',
    );
    expect(lines.find((l) => l.startsWith('S1003,'))).toBe(
      'S1003,Minh,Nguyen,8,sch-lincoln,Lincoln Middle School,America/Chicago,+13125550100,nav-2,G5003,Thu Nguyen,+13125550103,vi,America/Chicago,grandmother,no,,,,,,,',
    );
    expect(lines.find((l) => l.startsWith('S1004,'))).toBe(
      'S1004,Layla,Haddad,7,sch-lincoln,Lincoln Middle School,America/Chicago,+13125550100,nav-2,G5004,"Haddad, Samira",+13125550104,ar,America/Chicago,mother,no,,,,,,,',
    );
  });
});
