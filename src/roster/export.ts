import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../context.js';
import { ConsentRepository } from '../store/repositories/consents.js';
import { RosterRepository, type SchoolRow } from '../store/repositories/roster.js';
import { GUARDIANS_PER_STUDENT, STAFF_COLUMNS, STUDENT_COLUMNS } from './columns.js';

/** The roster as the two CSV files `importRoster` reads back unchanged. */
export interface RosterExport {
  staff: string;
  students: string;
  /** Students with more guardians than a row can hold; the extra links are not in the file. */
  truncated: string[];
}

const CONSENT_CELL = { granted: 'yes', revoked: 'no', none: '' } as const;

/**
 * Exports staff and students (with school, navigator and up to two guardians) in the import format.
 * Importing the result into the same database changes nothing.
 */
export async function exportRoster(ctx: Pick<AppContext, 'db'>): Promise<RosterExport> {
  const roster = new RosterRepository(ctx.db);
  const consents = new ConsentRepository(ctx.db);
  const schools = new Map((await roster.schools()).map((s) => [s.id, s]));
  const schoolCells = (s: SchoolRow | undefined) =>
    s ? [s.id, s.name, s.timezone, s.phone ?? ''] : ['', '', '', ''];

  const staffRows = (await roster.staffList()).map((s) => [
    s.id,
    s.name,
    s.email,
    s.role,
    ...schoolCells(s.schoolId ? schools.get(s.schoolId) : undefined),
    s.timezone,
    s.locale,
    s.slackUserId ?? '',
    s.teamsUserId ?? '',
  ]);

  const truncated: string[] = [];
  const studentRows: string[][] = [];
  for (const s of await roster.studentList()) {
    const guardians = await roster.guardiansOf(s.id);
    if (guardians.length > GUARDIANS_PER_STUDENT) truncated.push(s.id);
    const guardianCells: string[] = [];
    for (let i = 0; i < GUARDIANS_PER_STUDENT; i++) {
      const g = guardians[i];
      guardianCells.push(
        ...(g
          ? [
              g.id,
              g.name,
              g.phone ?? '',
              g.locale,
              g.timezone,
              g.relationship ?? '',
              CONSENT_CELL[await consents.current(g.id)],
            ]
          : ['', '', '', '', '', '', '']),
      );
    }
    studentRows.push([
      s.id,
      s.firstName,
      s.lastName,
      s.grade,
      ...schoolCells(schools.get(s.schoolId)),
      (await roster.navigatorOf(s.id)) ?? '',
      ...guardianCells,
    ]);
  }

  return {
    staff: stringify([[...STAFF_COLUMNS], ...staffRows]),
    students: stringify([[...STUDENT_COLUMNS], ...studentRows]),
    truncated,
  };
}
