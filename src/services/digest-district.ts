import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../context.js';
import { DigestRepository, type NeedCount } from '../store/repositories/digest.js';
import { NEED_AREAS } from '../vocabulary.js';

/** Counts below this are never published (the district's small-cell rule). */
export const MIN_CELL = 10;

/** Grade bands of the Children's Cabinet table. Pre-K is reported with K–2. */
export const GRADE_BANDS = ['K-2', '3-5', '6-8', '9-12'] as const;
export type GradeBand = (typeof GRADE_BANDS)[number];

/** The band of a roster grade ('PK', 'K', '1'..'12'), or undefined for a grade outside K–12. */
export function gradeBand(grade: string): GradeBand | undefined {
  const g = grade.trim().toUpperCase();
  if (g === 'PK' || g === 'K') return 'K-2';
  const n = Number(g);
  if (!Number.isInteger(n) || n < 1 || n > 12) return undefined;
  return n <= 2 ? 'K-2' : n <= 5 ? '3-5' : n <= 8 ? '6-8' : '9-12';
}

/**
 * Which cells of a table to withhold. Primary: every count from 1 to `min - 1`. Complementary: a row or
 * column with exactly one withheld cell would give it away by subtraction from its published total, so its
 * smallest other non-zero cell (a zero only when nothing else is left) is withheld too, until no row or
 * column has exactly one. Example: `suppress([[3, 40], [50, 60]])` → `[[true, true], [true, true]]`.
 */
export function suppress(table: number[][], min = MIN_CELL): boolean[][] {
  const hidden = table.map((row) => row.map((n) => n > 0 && n < min));
  const rows = table.length;
  const cols = table[0]?.length ?? 0;
  const lines: [number, number][][] = [
    ...Array.from({ length: rows }, (_, r) =>
      Array.from({ length: cols }, (_, c): [number, number] => [r, c]),
    ),
    ...Array.from({ length: cols }, (_, c) =>
      Array.from({ length: rows }, (_, r): [number, number] => [r, c]),
    ),
  ];
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      if (line.filter(([r, c]) => hidden[r]![c]).length !== 1) continue;
      const open = line.filter(([r, c]) => !hidden[r]![c]);
      const pick =
        smallest(
          open.filter(([r, c]) => table[r]![c]! > 0),
          table,
        ) ?? smallest(open, table);
      // A line of one cell cannot be protected by another cell of it; its total must not be published.
      if (!pick) continue;
      hidden[pick[0]]![pick[1]] = true;
      changed = true;
    }
  }
  return hidden;
}

function smallest(cells: [number, number][], table: number[][]): [number, number] | undefined {
  return [...cells].sort(([r1, c1], [r2, c2]) => table[r1]![c1]! - table[r2]![c2]!)[0];
}

/** The cabinet's table: one row per school and grade band, one column per need area, before suppression. */
export interface NeedsTable {
  rows: { schoolId: string; band: GradeBand }[];
  areas: readonly string[];
  counts: number[][];
}

/** Lays out the district's need counts by school, grade band and area; grades outside K–12 are left out. */
export function needsTable(counts: NeedCount[]): NeedsTable {
  const keys = new Map<string, { schoolId: string; band: GradeBand }>();
  for (const c of counts) {
    const band = gradeBand(c.grade);
    if (band) keys.set(`${c.schoolId}|${band}`, { schoolId: c.schoolId, band });
  }
  const rows = [...keys.values()].sort(
    (a, b) =>
      a.schoolId.localeCompare(b.schoolId) || GRADE_BANDS.indexOf(a.band) - GRADE_BANDS.indexOf(b.band),
  );
  const table = rows.map(() => NEED_AREAS.map(() => 0));
  for (const c of counts) {
    const band = gradeBand(c.grade);
    const r = rows.findIndex((row) => row.schoolId === c.schoolId && row.band === band);
    if (r >= 0) table[r]![NEED_AREAS.indexOf(c.area as (typeof NEED_AREAS)[number])]! += c.n;
  }
  return { rows, areas: NEED_AREAS, counts: table };
}

/** What a withheld cell reads as in the published CSV. */
export const SUPPRESSED = '*';

/**
 * The de-identified CSV: school, grade band, one column per area and the row total; a last row of district
 * totals. Withheld cells read `*`. A total below `MIN_CELL` is withheld as well, and so is the total of a row or
 * column holding a single withheld cell (a one-row table): there the total would be the cell itself.
 */
export function needsCsv(table: NeedsTable, min = MIN_CELL): string {
  const hidden = suppress(table.counts, min);
  const total = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
  const shown = (n: number, alone: boolean) => (alone || (n > 0 && n < min) ? SUPPRESSED : String(n));
  const columns = table.areas.map((_, c) => table.counts.map((row) => row[c]!));
  const hiddenIn = (flags: boolean[]) => flags.filter(Boolean).length === 1;
  const body = table.rows.map((row, r) => [
    row.schoolId,
    row.band,
    ...table.counts[r]!.map((n, c) => (hidden[r]![c] ? SUPPRESSED : String(n))),
    shown(total(table.counts[r]!), hiddenIn(hidden[r]!)),
  ]);
  const columnTotals = columns.map((column, c) => shown(total(column), hiddenIn(hidden.map((h) => h[c]!))));
  const grand = total(columns.map(total));
  return stringify([
    ['school_id', 'grade_band', ...table.areas, 'total'],
    ...body,
    ['district', 'all', ...columnTotals, shown(grand, false)],
  ]);
}

/** The district's needs by school, grade band and area, suppressed, as CSV for the Children's Cabinet. */
export async function districtNeedsCsv(ctx: AppContext): Promise<string> {
  return needsCsv(needsTable(await new DigestRepository(ctx.db).needCounts()));
}
