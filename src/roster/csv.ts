import { COLUMNS, kindOf, normaliseHeader, REQUIRED, type RosterFileKind } from './columns.js';
import { type CsvRow, csvRows, fileProblem, parseCsvTable } from './csv-table.js';
import type { RosterProblem } from './report.js';

/** One data row: its physical line in the file (the header is line 1) and its values by column name. */
export type RosterRow = CsvRow;

/**
 * A readable roster file: its kind, the rows that parsed, how many data rows it had, and the problems
 * found while reading (unknown columns; rows with the wrong number of cells, which are left out).
 */
export interface RosterFile {
  name: string;
  kind: RosterFileKind;
  rows: RosterRow[];
  rowsRead: number;
  problems: RosterProblem[];
}

export type ReadResult = { ok: true; file: RosterFile } | { ok: false; problem: RosterProblem };

const fileError = (file: string, message: string, line: number | null = null): ReadResult => ({
  ok: false,
  problem: fileProblem(file, message, line),
});

/**
 * Parses a roster CSV (see `parseCsvTable` for the file rules). Fails as a whole when the file is empty,
 * cannot be parsed, has no student_id/staff_id column, repeats a column or misses a required one; a row with
 * more or fewer cells than the header is refused on its own.
 */
export function readRosterCsv(name: string, text: string): ReadResult {
  const table = parseCsvTable(name, text, normaliseHeader);
  if (!table.ok) return table;
  const { headers, body } = table;
  const kind = kindOf(headers);
  if (kind === undefined)
    return fileError(
      name,
      'not a roster file: it needs a student_id column (students) or a staff_id column (staff)',
      1,
    );
  if (kind === 'both')
    return fileError(
      name,
      'has both student_id and staff_id columns; put staff and students in separate files',
      1,
    );
  const missing = REQUIRED[kind].filter((c) => !headers.includes(c));
  if (missing.length) return fileError(name, `missing required columns: ${missing.join(', ')}`, 1);
  return { ok: true, file: { name, kind, ...csvRows(name, headers, body, COLUMNS[kind]) } };
}
