import { type CsvError, parse } from 'csv-parse/sync';
import { COLUMNS, kindOf, normaliseHeader, REQUIRED, type RosterFileKind } from './columns.js';
import type { RosterProblem } from './report.js';

/** One data row: its physical line in the file (the header is line 1) and its values by column name. */
export interface RosterRow {
  line: number;
  values: Record<string, string>;
}

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
  problem: { file, line, column: null, severity: 'error', message },
});

/**
 * Parses a roster CSV (UTF-8, with or without BOM, LF or CRLF, RFC 4180 quoting). Fails as a whole when
 * the file is empty, cannot be parsed, has no student_id/staff_id column, repeats a column or misses a
 * required one. Rows whose cells are all blank are skipped. A row with more or fewer cells than the header
 * is refused: its values would land in the wrong columns (usually an unquoted comma in a name).
 */
export function readRosterCsv(name: string, text: string): ReadResult {
  // Normalising line ends first keeps csv-parse's line count exact for CRLF files.
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (normalised.trim() === '') return fileError(name, 'the file is empty');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(normalised, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as CsvError & { lines?: number };
    return fileError(name, `cannot be read as CSV: ${e.message}`, e.lines ?? null);
  }
  const [head, ...body] = records;
  if (!head) return fileError(name, 'the file is empty');
  const headers = head.record.map(normaliseHeader);
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
  const repeated = headers.filter((h, i) => h !== '' && headers.indexOf(h) !== i);
  if (repeated.length) return fileError(name, `repeated columns: ${[...new Set(repeated)].join(', ')}`, 1);
  const missing = REQUIRED[kind].filter((c) => !headers.includes(c));
  if (missing.length) return fileError(name, `missing required columns: ${missing.join(', ')}`, 1);

  const problems: RosterProblem[] = headers
    .filter((h) => !COLUMNS[kind].includes(h))
    .map((h) => ({
      file: name,
      line: 1,
      column: h === '' ? '(blank)' : h,
      severity: 'warning' as const,
      message: 'unknown column, ignored',
    }));
  const rows: RosterRow[] = [];
  let rowsRead = 0;
  for (const { record, info } of body) {
    if (record.every((v) => v.trim() === '')) continue;
    rowsRead++;
    // info.lines is the line the record ends on; quoted line breaks push it past the line it starts on.
    const inner = record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
    const line = info.lines - inner;
    if (record.length !== headers.length) {
      problems.push({
        file: name,
        line,
        column: null,
        severity: 'error',
        message: `has ${record.length} cells but the header has ${headers.length}; quote values that contain commas`,
      });
      continue;
    }
    const values: Record<string, string> = {};
    headers.forEach((h, i) => {
      if (h) values[h] = (record[i] ?? '').trim();
    });
    rows.push({ line, values });
  }
  return { ok: true, file: { name, kind, rows, rowsRead, problems } };
}
