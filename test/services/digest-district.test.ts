import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { seedDemoRoster } from '../../src/demo/seed.js';
import {
  districtNeedsCsv,
  gradeBand,
  needsCsv,
  needsTable,
  SUPPRESSED,
  suppress,
} from '../../src/services/digest-district.js';
import { engineOf } from '../../src/store/db.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { testContext } from '../helpers/context.js';
import { tablesOf } from '../helpers/tables.js';

/**
 * What someone holding the published table can work out: in a row or column with exactly one withheld cell,
 * the cell is its total minus the cells shown. Returns the cells recovered this way, as 'row,col=value'.
 */
function recover(table: number[][], hidden: boolean[][]): string[] {
  const found: string[] = [];
  const lines = [
    ...table.map((row, r) => row.map((_, c) => [r, c] as const)),
    ...table[0]!.map((_, c) => table.map((_, r) => [r, c] as const)),
  ];
  for (const line of lines) {
    const withheld = line.filter(([r, c]) => hidden[r]![c]);
    if (withheld.length !== 1) continue;
    const total = line.reduce((n, [r, c]) => n + table[r]![c]!, 0);
    const shown = line.filter(([r, c]) => !hidden[r]![c]).reduce((n, [r, c]) => n + table[r]![c]!, 0);
    const [r, c] = withheld[0]!;
    found.push(`${r},${c}=${total - shown}`);
  }
  return [...new Set(found)];
}

describe('district needs for the Children’s Cabinet', () => {
  it('puts grades in the cabinet’s bands', () => {
    expect(['PK', 'K', '2', '3', '5', '6', '8', '9', '12', '13', 'x'].map(gradeBand)).toEqual([
      'K-2',
      'K-2',
      'K-2',
      '3-5',
      '3-5',
      '6-8',
      '6-8',
      '9-12',
      '9-12',
      undefined,
      undefined,
    ]);
  });

  it('withholds a small cell and enough others that no total gives it away', () => {
    const table = [
      [3, 40, 50],
      [20, 30, 60],
    ];
    const primaryOnly = table.map((row) => row.map((n) => n > 0 && n < 10));
    // With the small cell alone withheld, its row total gives it back.
    expect(recover(table, primaryOnly)).toEqual(['0,0=3']);
    const hidden = suppress(table);
    expect(hidden).toEqual([
      [true, true, false],
      [true, true, false],
    ]);
    expect(recover(table, hidden)).toEqual([]);
  });

  it('prefers a non-zero complement, and keeps going until every line is safe', () => {
    const table = [
      [5, 0, 12, 30],
      [0, 0, 25, 40],
      [11, 0, 13, 50],
    ];
    const hidden = suppress(table);
    expect(hidden[0]).toEqual([true, false, true, false]); // 12, not the 0 beside it
    expect(hidden[2]![0]).toBe(true); // column 0: 11 protects the 5
    expect(hidden[2]![2]).toBe(true); // then row 2 needs a second cell: 13 is the smallest
    expect(recover(table, hidden)).toEqual([]);
  });

  it('withholds a column total that would equal its only withheld cell (a one-row table)', () => {
    const table = needsTable([
      { schoolId: 'S1', grade: '7', area: 'academic', n: 40 },
      { schoolId: 'S1', grade: '8', area: 'food_security', n: 3 },
    ]);
    const [header, row, district] = parse(needsCsv(table)) as string[][];
    const col = (name: string) => header!.indexOf(name);
    expect(row!.slice(0, 2)).toEqual(['S1', '6-8']);
    expect([row![col('academic')], row![col('food_security')], row![col('total')]]).toEqual([
      SUPPRESSED,
      SUPPRESSED,
      '43',
    ]);
    expect([district![col('academic')], district![col('food_security')], district![col('total')]]).toEqual([
      SUPPRESSED,
      SUPPRESSED,
      '43',
    ]);
  });

  it('reads the needs of every school from the store, with no student in sight', async () => {
    const ctx = await testContext({ now: Date.parse('2026-11-24T15:00:00Z') });
    await seedDemoRoster(ctx);
    const students = await new RosterRepository(ctx.db).studentList();
    const riverside = students.filter((s) => s.schoolId === 'sch-riverside');
    const bayview = students.filter((s) => s.schoolId === 'sch-bayview');
    const add = (list: typeof students, area: 'academic' | 'food_security', count: number) =>
      engineOf(ctx.db)
        .insert(tablesOf(ctx.db).needs)
        .values(
          list.slice(0, count).map((s, i) => ({
            id: `${area}-${s.id}-${i}`,
            studentId: s.id,
            area,
            severity: 'low' as const,
            source: 'navigator' as const,
            raisedBy: 'staff:nav-1',
            createdAt: ctx.clock(),
            updatedAt: ctx.clock(),
          })),
        );
    await add(riverside, 'academic', 12);
    await add(riverside, 'food_security', 3);
    await add(bayview, 'academic', 11);
    const csv = await districtNeedsCsv(ctx);
    const [header, ...rows] = parse(csv) as string[][];
    const col = (name: string) => header!.indexOf(name);
    const cells = rows.map((r) => [r[0], r[1], r[col('academic')], r[col('food_security')], r[col('total')]]);
    // 3 is small; 12 protects it in its row, 0 in its column (nothing else there), 11 protects the 12.
    expect(cells).toEqual([
      ['sch-bayview', '9-12', SUPPRESSED, SUPPRESSED, '11'],
      ['sch-riverside', '6-8', SUPPRESSED, SUPPRESSED, '15'],
      ['district', 'all', '23', SUPPRESSED, '26'],
    ]);
    for (const s of students) expect(csv).not.toContain(s.firstName);
  });
});
