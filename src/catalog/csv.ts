import { type CsvRow, csvRows, fileProblem, parseCsvTable } from '../roster/csv-table.js';
import type { RosterProblem } from '../roster/report.js';
import { SERVICE_COLUMNS, SERVICE_REQUIRED } from './columns.js';

/** One data row of a catalog file: its physical line (the header is line 1) and its values by column. */
export type CatalogRow = CsvRow;

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
  problem: fileProblem(file, message, line),
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
  const table = parseCsvTable(name, text, header);
  if (!table.ok) return table;
  const { headers, body } = table;
  const missing = SERVICE_REQUIRED.filter((c) => !headers.includes(c));
  if (missing.length)
    return fileError(
      name,
      `missing required columns: ${missing.join(', ')} (a service catalog has the columns ${SERVICE_COLUMNS.join(', ')})`,
      1,
    );
  return { ok: true, file: { name, ...csvRows(name, headers, body, SERVICE_COLUMNS) } };
}
