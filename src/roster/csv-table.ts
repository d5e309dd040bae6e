import { type CsvError, parse } from 'csv-parse/sync';
import type { RosterProblem } from './report.js';

// How every district CSV file (roster, staff, service catalog) is read: the same encoding rules, the same
// line numbers and the same row-level refusals, so an administrator meets one behaviour whatever they import.

/** One data row: its physical line in the file (the header is line 1) and its values by column name. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

type Record_ = { record: string[]; info: { lines: number } };

/** A problem with the whole file: nothing in it is imported. */
export function fileProblem(file: string, message: string, line: number | null = null): RosterProblem {
  return { file, line, column: null, severity: 'error', message };
}

/**
 * Parses a CSV file (UTF-8, with or without BOM, LF or CRLF, RFC 4180 quoting) into normalised headers and
 * records. Fails as a whole when the file is empty, cannot be parsed or repeats a column.
 */
export function parseCsvTable(
  name: string,
  text: string,
  normaliseHeader: (h: string) => string,
): { ok: true; headers: string[]; body: Record_[] } | { ok: false; problem: RosterProblem } {
  // Normalising line ends first keeps csv-parse's line count exact for CRLF files.
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (normalised.trim() === '') return { ok: false, problem: fileProblem(name, 'the file is empty') };
  let records: Record_[];
  try {
    records = parse(normalised, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as Record_[];
  } catch (err) {
    const e = err as CsvError & { lines?: number };
    return { ok: false, problem: fileProblem(name, `cannot be read as CSV: ${e.message}`, e.lines ?? null) };
  }
  const [head, ...body] = records;
  if (!head) return { ok: false, problem: fileProblem(name, 'the file is empty') };
  const headers = head.record.map(normaliseHeader);
  const repeated = headers.filter((h, i) => h !== '' && headers.indexOf(h) !== i);
  if (repeated.length)
    return {
      ok: false,
      problem: fileProblem(name, `repeated columns: ${[...new Set(repeated)].join(', ')}`, 1),
    };
  return { ok: true, headers, body };
}

/**
 * The data rows by column, with a warning for each unknown column. Rows whose cells are all blank are
 * skipped; a row with more or fewer cells than the header is refused on its own, as its values would land in
 * the wrong columns (usually an unquoted comma in a name).
 */
export function csvRows(
  name: string,
  headers: string[],
  body: Record_[],
  known: readonly string[],
): { rows: CsvRow[]; rowsRead: number; problems: RosterProblem[] } {
  const problems: RosterProblem[] = headers
    .filter((h) => !known.includes(h))
    .map((h) => ({
      file: name,
      line: 1,
      column: h === '' ? '(blank)' : h,
      severity: 'warning' as const,
      message: 'unknown column, ignored',
    }));
  const rows: CsvRow[] = [];
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
  return { rows, rowsRead, problems };
}
