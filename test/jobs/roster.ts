import { type Db, engineOf } from '../../src/store/db.js';
import {
  assignments,
  dialogSessions,
  guardians,
  schools,
  staff,
  studentGuardians,
  students,
} from '../../src/store/schema/index.js';

/** A school in Chicago with one navigator, two students and their guardians (one in Honolulu). */
export function seedRoster(store: Db, opts: { oooFrom?: string; oooTo?: string } = {}): void {
  const db = engineOf(store);
  const at = 0;
  db.insert(schools)
    .values({ id: 'S1', name: 'Lincoln', timezone: 'America/Chicago', createdAt: at, updatedAt: at })
    .run();
  db.insert(staff)
    .values({
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
    })
    .run();
  for (const [sid, gid, tz] of [
    ['st-1', 'g-1', 'America/Chicago'],
    ['st-2', 'g-2', 'Pacific/Honolulu'],
  ] as const) {
    db.insert(students)
      .values({
        id: sid,
        schoolId: 'S1',
        firstName: 'A',
        lastName: 'B',
        grade: '5',
        createdAt: at,
        updatedAt: at,
      })
      .run();
    db.insert(guardians)
      .values({
        id: gid,
        name: 'G',
        phone: '+15550100001',
        locale: 'es',
        timezone: tz,
        createdAt: at,
        updatedAt: at,
      })
      .run();
    db.insert(studentGuardians).values({ studentId: sid, guardianId: gid, createdAt: at }).run();
    db.insert(assignments).values({ studentId: sid, navigatorId: 'nav-1', assignedAt: at }).run();
  }
}

export function seedSession(store: Db, id: string, version: number): void {
  const db = engineOf(store);
  db.insert(dialogSessions)
    .values({
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
    })
    .run();
}
