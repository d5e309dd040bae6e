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
export function exportRoster(ctx: Pick<AppContext, 'db'>): RosterExport {
  const roster = new RosterRepository(ctx.db);
  const consents = new ConsentRepository(ctx.db);
  const schools = new Map(roster.schools().map((s) => [s.id, s]));
  const schoolCells = (s: SchoolRow | undefined) =>
    s ? [s.id, s.name, s.timezone, s.phone ?? ''] : ['', '', '', ''];

  const staffRows = roster
    .staffList()
    .map((s) => [
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
  const studentRows = roster.studentList().map((s) => {
    const guardians = roster.guardiansOf(s.id);
    if (guardians.length > GUARDIANS_PER_STUDENT) truncated.push(s.id);
    const guardianCells = Array.from({ length: GUARDIANS_PER_STUDENT }, (_, i) => {
      const g = guardians[i];
      if (!g) return ['', '', '', '', '', '', ''];
      return [
        g.id,
        g.name,
        g.phone ?? '',
        g.locale,
        g.timezone,
        g.relationship ?? '',
        CONSENT_CELL[consents.current(g.id)],
      ];
    }).flat();
    return [
      s.id,
      s.firstName,
      s.lastName,
      s.grade,
      ...schoolCells(schools.get(s.schoolId)),
      roster.navigatorOf(s.id) ?? '',
      ...guardianCells,
    ];
  });

  return {
    staff: stringify([[...STAFF_COLUMNS], ...staffRows]),
    students: stringify([[...STUDENT_COLUMNS], ...studentRows]),
    truncated,
  };
}
