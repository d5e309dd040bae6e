import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { importCatalog } from '../../src/catalog/import.js';
import { formatCatalogReport } from '../../src/catalog/report.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { CatalogRepository } from '../../src/store/repositories/catalog.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { testContext } from '../helpers/context.js';

const SAMPLE = readFileSync(join(import.meta.dirname, '../../docs/sample-services.csv'), 'utf8');
const HEADER = 'service_id,name,need_areas,contact,languages,hours,notes,school_id,active';

let ctx: Awaited<ReturnType<typeof testContext>>;
beforeEach(async () => {
  ctx = await testContext({ now: Date.parse('2026-09-01T14:00:00Z') });
  const roster = new RosterRepository(ctx.db);
  const by = { actor: 'test', at: 0 };
  await roster.upsertSchool({ id: 'sch-riverside', name: 'Riverside', timezone: 'America/Chicago' }, by);
  await roster.upsertSchool({ id: 'sch-bayview', name: 'Bayview', timezone: 'America/Chicago' }, by);
});

const catalog = () => new CatalogRepository(ctx.db);
const audits = () => new AuditRepository(ctx.db).listByEntity('service');

describe('service catalog import', () => {
  it('imports the sample file: district and school services, areas, languages', async () => {
    const report = await importCatalog(ctx, { name: 'sample-services.csv', text: SAMPLE });
    expect(report).toMatchObject({
      exitCode: 0,
      rows: { read: 6, accepted: 6, rejected: 0 },
      services: { created: 6, updated: 0, unchanged: 0 },
      problems: [],
    });
    expect(await catalog().service('sch-riverside:riverside-weekend-backpacks')).toMatchObject({
      name: 'Riverside Weekend Backpacks',
      needAreas: ['food_security'],
      languages: ['en', 'es', 'ar'],
      schoolId: 'sch-riverside',
      active: true,
    });
    expect(await catalog().service('housing-help-line')).toMatchObject({
      needAreas: ['housing_stability', 'family_social_services'],
      schoolId: null,
    });
    // A Riverside student may use Riverside's own services and the district's, not Bayview's.
    const riverside = (await catalog().list({ schoolId: 'sch-riverside', area: 'food_security' })).map(
      (s) => s.id,
    );
    expect(riverside).toEqual(['food-pantry-north', 'sch-riverside:riverside-weekend-backpacks']);
  });

  it('bad rows are reported with their line numbers and the good rows are imported', async () => {
    const text = [
      HEADER,
      'pantry,Food Pantry,food_security,555-0100,en,,,,yes',
      ',,food_security,,,,,,', // 3: no name
      'clinic,Clinic,healthcare;physical_health,,,,,,', // 4: unknown area named
      'tutors,Tutors,academic,,en;fr,,,,maybe', // 5: bad active, unknown language warned
      'bus,Bus Passes,transportation,,,,,sch-nowhere,', // 6: unknown school
      'pantry,Food Pantry Again,food_security,,,,,,', // 7: same id as line 2
      'extra,Extra Help, with a comma,other,,,,,,', // 8: an unquoted comma makes one cell too many
      'ok-one,"Night',
      'Shelter",housing,,,,,,', // 9–10: a quoted line break; the row starts on line 9
    ].join('\n');
    const report = await importCatalog(ctx, { name: 'services.csv', text });
    expect(report.exitCode).toBe(1);
    expect(report.rows).toEqual({ read: 8, accepted: 2, rejected: 6 });
    expect(report.services).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(report.problems.map((p) => [p.line, p.severity, p.column, p.message])).toEqual([
      [3, 'error', 'name', 'required'],
      [
        4,
        'error',
        'need_areas',
        'unknown need area "healthcare" (need areas: academic, attendance, technology_access, learning_space, food_security, housing_stability, physical_health, mental_emotional_wellbeing, family_social_services, transportation, enrichment, safety, other)',
      ],
      [5, 'warning', 'languages', '"fr" is not a language families are texted in; kept as written'],
      [5, 'error', 'active', '"maybe" is not yes or no'],
      [
        6,
        'error',
        'school_id',
        'unknown school "sch-nowhere"; import the roster first, or leave it blank for a district-wide service',
      ],
      [7, 'error', 'service_id', 'the same service as line 2 (pantry); each service appears once'],
      [8, 'error', null, 'has 10 cells but the header has 9; quote values that contain commas'],
    ]);
    expect((await catalog().list()).map((s) => s.id)).toEqual(['pantry', 'ok-one']);
    expect(await catalog().service('ok-one')).toMatchObject({
      name: 'Night\nShelter',
      needAreas: ['housing_stability'],
    });
    const printed = formatCatalogReport(report);
    expect(printed).toContain('services.csv:4 error need_areas: unknown need area "healthcare"');
    expect(printed).toContain('Result: 2 changed, 6 rejected, 1 warning');
  });

  it('importing the same file twice changes nothing; an edited row updates its service, audit-logged', async () => {
    await importCatalog(ctx, { name: 'sample-services.csv', text: SAMPLE });
    const logged = (await audits()).length;
    const again = await importCatalog(ctx, { name: 'sample-services.csv', text: SAMPLE });
    expect(again.services).toEqual({ created: 0, updated: 0, unchanged: 6 });
    expect(await audits()).toHaveLength(logged);

    ctx.clock.advance(86_400_000);
    const edited = SAMPLE.replace('Tue and Thu 3-7pm, Sat 9am-noon', 'Tue and Thu 4-8pm').replace(
      'Metro Community Clinic,physical_health;mental_emotional_wellbeing,(615) 555-0170,en;es;ar;ht;pt,"Mon-Sat 8am-8pm","Sliding-scale fees, walk-ins welcome",,yes',
      'Metro Community Clinic,physical_health,(615) 555-0170,en;es;ar;ht;pt,"Mon-Sat 8am-8pm","Sliding-scale fees, walk-ins welcome",,no',
    );
    const third = await importCatalog(ctx, { name: 'sample-services.csv', text: edited });
    expect(third.services).toEqual({ created: 0, updated: 2, unchanged: 4 });
    expect(await catalog().service('food-pantry-north')).toMatchObject({
      hours: 'Tue and Thu 4-8pm',
      updatedAt: ctx.clock(),
    });
    expect(await catalog().service('metro-clinic')).toMatchObject({
      needAreas: ['physical_health'],
      active: false,
    });
    expect((await catalog().list()).map((s) => s.id)).not.toContain('metro-clinic');
    const update = (await new AuditRepository(ctx.db).listFor('service', 'metro-clinic')).at(-1);
    expect(update).toMatchObject({
      action: 'update',
      before: { needAreas: ['physical_health', 'mental_emotional_wellbeing'], active: true },
      after: { needAreas: ['physical_health'], active: false },
    });
  });

  it('a dry run reports what would change and writes nothing', async () => {
    const report = await importCatalog(ctx, { name: 'sample-services.csv', text: SAMPLE }, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, services: { created: 6 } });
    expect(await catalog().list({ includeInactive: true })).toEqual([]);
    expect(await audits()).toEqual([]);
    expect(formatCatalogReport(report)).toContain('Result: 6 would change');
  });

  it('a file without the required columns is refused as a whole (exit 2)', async () => {
    const report = await importCatalog(ctx, { name: 'wrong.csv', text: 'student_id,name\nS1,Ana\n' });
    expect(report).toMatchObject({ exitCode: 2, rows: { read: 0 } });
    expect(report.problems[0]?.message).toContain('missing required columns: need_areas');
  });

  it('reports progress on a long file', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `svc-${i},Service ${i},food,,,,,,`);
    const seen: [number, number][] = [];
    const report = await importCatalog(
      ctx,
      { name: 'long.csv', text: [HEADER, ...rows].join('\n') },
      { onProgress: (done, total) => seen.push([done, total]) },
    );
    expect(report.services.created).toBe(1200);
    expect(seen).toEqual([
      [500, 1200],
      [1000, 1200],
      [1200, 1200],
    ]);
  });
});
