import { type Db, engineOf } from '../../src/store/db.js';
import { tablesOf } from '../helpers/tables.js';

/** A school in Chicago with one navigator, two students and their guardians (one in Honolulu). */
export async function seedRoster(store: Db, opts: { oooFrom?: string; oooTo?: string } = {}): Promise<void> {
  const db = engineOf(store);
  const { assignments, guardians, schools, staff, studentGuardians, students } = tablesOf(store);
  const at = 0;
  await db
    .insert(schools)
    .values({ id: 'S1', name: 'Lincoln', timezone: 'America/Chicago', createdAt: at, updatedAt: at });
  await db.insert(staff).values({
    id: 'nav-1',
    schoolId: 'S1',
    name: 'N',
    email: 'n@example.org',
    role: 'navigator',
    timezone: 'America/Chicago',
    oooFrom: opts.oooFrom ?? null,
    oooTo: opts.oooTo ?? null,
    createdAt: at,
    updatedAt: at,
  });
  for (const [sid, gid, tz] of [
    ['st-1', 'g-1', 'America/Chicago'],
    ['st-2', 'g-2', 'Pacific/Honolulu'],
  ] as const) {
    await db.insert(students).values({
      id: sid,
      schoolId: 'S1',
      firstName: 'A',
      lastName: 'B',
      grade: '5',
      createdAt: at,
      updatedAt: at,
    });
    await db.insert(guardians).values({
      id: gid,
      name: 'G',
      phone: '+15550100001',
      locale: 'es',
      timezone: tz,
      createdAt: at,
      updatedAt: at,
    });
    await db.insert(studentGuardians).values({ studentId: sid, guardianId: gid, createdAt: at });
    await db.insert(assignments).values({ studentId: sid, navigatorId: 'nav-1', assignedAt: at });
  }
}

export async function seedSession(store: Db, id: string, version: number): Promise<void> {
  const db = engineOf(store);
  const { dialogSessions } = tablesOf(store);
  await db.insert(dialogSessions).values({
    id,
    kind: 'family',
    participantId: 'g-1',
    channel: 'sms',
    scriptId: 'family',
    scriptVersion: 1,
    version,
    period: '2026-W48',
    state: {},
    createdAt: 0,
    updatedAt: 0,
  });
}
