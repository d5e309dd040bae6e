import type { RosterFileKind } from './columns.js';

/** One problem, e.g. `{ file: 'students.csv', line: 7, column: 'guardian1_phone', severity: 'error', message: 'too short…' }`. */
export interface RosterProblem {
  file: string;
  /** Physical line in the file, the header being line 1; null for the file as a whole. */
  line: number | null;
  column: string | null;
  /** An error rejects the row (or, without a line, the whole import); a warning never does. */
  severity: 'error' | 'warning';
  message: string;
}

/** A student who changed navigator. */
export interface RosterMove {
  file: string;
  line: number;
  studentId: string;
  from: string;
  to: string;
}

export const ROSTER_ENTITIES = [
  'schools',
  'staff',
  'students',
  'guardians',
  'links',
  'assignments',
  'consents',
] as const;
export type RosterEntity = (typeof ROSTER_ENTITIES)[number];

/** Per kind of record: how many were created, updated, left as they were, removed. */
export interface ChangeCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
}

/** What an import did (or, in a dry run, would do). */
export interface ImportReport {
  dryRun: boolean;
  files: { name: string; kind: RosterFileKind | null; rows: number }[];
  rows: { read: number; accepted: number; rejected: number };
  changes: Record<RosterEntity, ChangeCounts>;
  moves: RosterMove[];
  problems: RosterProblem[];
  /** 0 all rows imported, 1 some rows rejected, 2 a file could not be read (nothing imported). */
  exitCode: 0 | 1 | 2;
}

export function emptyChanges(): Record<RosterEntity, ChangeCounts> {
  return Object.fromEntries(
    ROSTER_ENTITIES.map((e) => [e, { created: 0, updated: 0, unchanged: 0, removed: 0 }]),
  ) as Record<RosterEntity, ChangeCounts>;
}

/** Records created, updated or removed, over all kinds. */
export function changedCount(report: Pick<ImportReport, 'changes'>): number {
  return Object.values(report.changes).reduce((n, c) => n + c.created + c.updated + c.removed, 0);
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** 'students.csv:7 guardian1_phone: too short to be a phone number'. */
export function formatProblem(p: RosterProblem): string {
  const where = p.line === null ? p.file : `${p.file}:${p.line}`;
  return `${where} ${p.severity}${p.column ? ` ${p.column}` : ''}: ${p.message}`;
}

/** The human report printed by `roster import` and `roster validate`. */
/** The problems of an import, counted and listed one per line (empty when there were none). */
export function problemSection(problems: RosterProblem[]): {
  errors: number;
  warnings: number;
  lines: string[];
} {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (problems.length === 0) return { errors, warnings, lines: [] };
  return {
    errors,
    warnings,
    lines: [
      '',
      `Problems (${plural(errors, 'error')}, ${plural(warnings, 'warning')}):`,
      ...problems.map((p) => `  ${formatProblem(p)}`),
    ],
  };
}

export function formatImportReport(report: ImportReport): string {
  const out: string[] = [];
  out.push(report.dryRun ? 'Roster check (dry run: nothing was written)' : 'Roster import');
  const files = report.files.map((f) => `${f.name} (${f.kind ?? 'unreadable'}, ${f.rows} rows)`).join(', ');
  out.push(`Files: ${files}`);
  if (report.exitCode === 2) {
    out.push('Nothing was imported: a file could not be read.');
  } else {
    const r = report.rows;
    out.push(`Rows: ${r.read} read, ${r.accepted} accepted, ${r.rejected} rejected`);
    out.push('');
    out.push(
      `${''.padEnd(12)}${pad('created', 8)}${pad('updated', 8)}${pad('unchanged', 10)}${pad('removed', 8)}`,
    );
    for (const [entity, c] of Object.entries(report.changes))
      out.push(
        `${entity.padEnd(12)}${pad(c.created, 8)}${pad(c.updated, 8)}${pad(c.unchanged, 10)}${pad(c.removed, 8)}`,
      );
  }
  if (report.moves.length) {
    out.push('');
    out.push('Students moved to another navigator:');
    for (const m of report.moves) out.push(`  ${m.file}:${m.line} ${m.studentId}: ${m.from} -> ${m.to}`);
  }
  const { errors, warnings, lines } = problemSection(report.problems);
  out.push(...lines);
  out.push('');
  const verb = report.dryRun ? 'would change' : 'changed';
  out.push(
    report.exitCode === 2
      ? `Result: nothing imported, ${plural(errors, 'file error')}`
      : `Result: ${changedCount(report)} ${verb}, ${report.rows.rejected} rejected, ${plural(warnings, 'warning')}`,
  );
  return out.join('\n');
}
