import { type CsvError, parse } from 'csv-parse/sync';
import type { RosterProblem } from '../roster/report.js';
import { SERVICE_COLUMNS, SERVICE_REQUIRED } from './columns.js';

/** One data row of a catalog file: its physical line (the header is line 1) and its values by column. */
export interface CatalogRow {
  line: number;
  values: Record<string, string>;
}

/** A readable catalog file: the rows that parsed, how many data rows it had, and problems found reading. */
export interface CatalogFile {
  name: string;
  rows: CatalogRow[];
  rowsRead: number;
  problems: RosterProblem[];
}

export type CatalogReadResult = { ok: true; file: CatalogFile } | { ok: false; problem: RosterProblem };

const fileError = (file: string, message: string, line: number | null = null): CatalogReadResult => ({
  ok: false,
  problem: { file, line, column: null, severity: 'error', message },
});

const header = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/**
 * Parses a catalog CSV the way roster files are read (UTF-8 with or without BOM, LF or CRLF, RFC 4180
 * quoting). The file fails as a whole when it is empty, cannot be parsed, repeats a column or misses a
 * required one; a row with more or fewer cells than the header is refused on its own.
 */
export function readCatalogCsv(name: string, text: string): CatalogReadResult {
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
  const headers = head.record.map(header);
  const repeated = headers.filter((h, i) => h !== '' && headers.indexOf(h) !== i);
  if (repeated.length) return fileError(name, `repeated columns: ${[...new Set(repeated)].join(', ')}`, 1);
  const missing = SERVICE_REQUIRED.filter((c) => !headers.includes(c));
  if (missing.length)
    return fileError(
      name,
      `missing required columns: ${missing.join(', ')} (a service catalog has the columns ${SERVICE_COLUMNS.join(', ')})`,
      1,
    );

  const known: readonly string[] = SERVICE_COLUMNS;
  const problems: RosterProblem[] = headers
    .filter((h) => !known.includes(h))
    .map((h) => ({
      file: name,
      line: 1,
      column: h === '' ? '(blank)' : h,
      severity: 'warning' as const,
      message: 'unknown column, ignored',
    }));
  const rows: CatalogRow[] = [];
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
  return { ok: true, file: { name, rows, rowsRead, problems } };
}
