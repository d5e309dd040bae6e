// A district-sized roster in a SQLite file, written through the roster and consent repositories the importer
// uses (so every row, audit entry and consent record is what a real import leaves), in transactions of 1,000
// students: one guardian each with an SMS number and the roster's consent, 24 students per navigator, 2,000
// students per school with a lead navigator each. The demo roster local mode imports at every start is
// imported here too, so the service starts on a district where that import changes nothing.
// Run alone: `npx tsx bench/district-seed.ts district.db [students]`.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config.js';
import { seedDemoRoster } from '../src/demo/seed.js';
import { systemClock, uuid } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { engineOf, openDatabase } from '../src/store/db.js';
import { ConsentRepository } from '../src/store/repositories/consents.js';
import { RosterRepository } from '../src/store/repositories/roster.js';

const STUDENTS_PER_NAVIGATOR = 24;
const STUDENTS_PER_SCHOOL = 2_000;
const BATCH = 1_000;
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];

export interface District {
  students: number;
  guardians: number;
  navigators: number;
  schools: number;
  seconds: number;
}

const phone = (i: number) => `+1629${String(2_000_000 + i).padStart(7, '0')}`;

/** Seeds `students` students into a new database at `path`; the file is checkpointed (no -wal left). */
export async function seedDistrict(path: string, students: number): Promise<District> {
  const t0 = performance.now();
  const config = loadConfig({ DATABASE_URL: `file:${path}`, LOG_LEVEL: 'silent' });
  const db = openDatabase(config.databasePath);
  const schoolCount = Math.max(1, Math.round(students / STUDENTS_PER_SCHOOL));
  const navigatorCount = Math.max(1, Math.ceil(students / STUDENTS_PER_NAVIGATOR));
  const navigatorsPerSchool = Math.ceil(navigatorCount / schoolCount);
  const schoolOf = (nav: number) => Math.min(schoolCount - 1, Math.floor(nav / navigatorsPerSchool));
  const zoneOf = (school: number) => ZONES[school % ZONES.length]!;
  const by = { actor: 'roster_import', at: Date.now() };
  const progress = (what: string) =>
    process.stderr.write(`district seed: ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);

  await db.transaction(async (tx) => {
    const roster = new RosterRepository(tx);
    for (let s = 0; s < schoolCount; s++) {
      const zone = zoneOf(s);
      await roster.upsertSchool({ id: `d-sch-${s}`, name: `District School ${s}`, timezone: zone }, by);
      await roster.upsertStaff(
        {
          id: `d-lead-${s}`,
          schoolId: `d-sch-${s}`,
          name: `Lead ${s}`,
          email: `lead${s}@district.example.org`,
          role: 'lead_navigator',
          slackUserId: null,
          teamsUserId: null,
          timezone: zone,
          locale: 'en',
        },
        by,
      );
    }
    for (let n = 0; n < navigatorCount; n++)
      await roster.upsertStaff(
        {
          id: `d-nav-${n}`,
          schoolId: `d-sch-${schoolOf(n)}`,
          name: `Navigator ${n}`,
          email: `nav${n}@district.example.org`,
          role: 'navigator',
          slackUserId: null,
          teamsUserId: null,
          timezone: zoneOf(schoolOf(n)),
          locale: 'en',
        },
        by,
      );
  });
  progress(`${schoolCount} schools, ${navigatorCount} navigators`);

  for (let from = 0; from < students; from += BATCH) {
    const to = Math.min(students, from + BATCH);
    // In the importer's order: guardians, then students with their links and navigator, then consents.
    await db.transaction(async (tx) => {
      const roster = new RosterRepository(tx);
      const consents = new ConsentRepository(tx);
      for (let i = from; i < to; i++) {
        const zone = zoneOf(schoolOf(Math.floor(i / STUDENTS_PER_NAVIGATOR)));
        await roster.upsertGuardian(
          {
            id: `d-g-${i}`,
            name: `Guardian ${i}`,
            phone: phone(i),
            locale: i % 4 === 0 ? 'es' : 'en',
            timezone: zone,
          },
          by,
        );
      }
      for (let i = from; i < to; i++) {
        const nav = Math.floor(i / STUDENTS_PER_NAVIGATOR);
        await roster.upsertStudent(
          {
            id: `d-st-${i}`,
            schoolId: `d-sch-${schoolOf(nav)}`,
            firstName: `Student${i}`,
            lastName: 'District',
            grade: String(6 + (i % 7)),
          },
          by,
        );
        await roster.setGuardians(`d-st-${i}`, [{ guardianId: `d-g-${i}`, relationship: 'parent' }], by);
        await roster.assignNavigator(`d-st-${i}`, `d-nav-${nav}`, by);
      }
      for (let i = from; i < to; i++)
        await consents.record(
          {
            guardianId: `d-g-${i}`,
            status: 'granted',
            source: 'roster_import',
            locale: i % 4 === 0 ? 'es' : 'en',
          },
          by,
        );
    });
    if (to % 10_000 === 0 || to === students) progress(`${to} students`);
  }

  const logger = createLogger({ level: 'silent' });
  await seedDemoRoster({ config, db, logger, clock: systemClock, ids: uuid });
  engineOf(db).$client.pragma('wal_checkpoint(TRUNCATE)');
  await db.close();
  const seconds = (performance.now() - t0) / 1000;
  progress('done');
  return {
    students,
    guardians: students,
    navigators: navigatorCount,
    schools: schoolCount,
    seconds,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [path = 'district.db', n = process.env.BENCH_DISTRICT_STUDENTS ?? '60000'] = process.argv.slice(2);
  console.log(await seedDistrict(path, Number(n)));
}
