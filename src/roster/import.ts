import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { AppContext } from '../context.js';
import { ConsentRepository } from '../store/repositories/consents.js';
import { RosterRepository } from '../store/repositories/roster.js';
import { applyRosterPlan } from './apply.js';
import { type RosterFile, readRosterCsv } from './csv.js';
import { planRoster } from './plan.js';
import { changedCount, emptyChanges, type ImportReport, type RosterProblem } from './report.js';
import { type StaffRecord, type StudentRecord, validateStaffRow, validateStudentRow } from './validate.js';

/** A roster file's name (for reports) and its text. */
export interface RosterSource {
  name: string;
  text: string;
}

export interface ImportOptions {
  /** Check everything and report what would change, then roll back: nothing is written. */
  dryRun?: boolean;
  /** Who the audit log names, e.g. 'cli:jdoe' or 'demo_seed'. Default 'roster_import'. */
  actor?: string;
}

export type ImportContext = Pick<AppContext, 'db' | 'config' | 'clock' | 'logger'>;

class DryRunRollback extends Error {}

/**
 * Imports staff and student roster files in one transaction. Rows with errors are left out and reported
 * with file, line and column; the rest are written (upserts on external ids, each change audit-logged).
 * A file that cannot be read stops the whole import (exit code 2).
 * Example: `importRoster(ctx, [{ name: 'staff.csv', text }, { name: 'students.csv', text }])`.
 */
export async function importRoster(
  ctx: ImportContext,
  sources: RosterSource[],
  options: ImportOptions = {},
): Promise<ImportReport> {
  const dryRun = options.dryRun ?? false;
  const report: ImportReport = {
    dryRun,
    files: [],
    rows: { read: 0, accepted: 0, rejected: 0 },
    changes: emptyChanges(),
    moves: [],
    problems: [],
    exitCode: 0,
  };
  const files: RosterFile[] = [];
  for (const source of sources) {
    const result = readRosterCsv(source.name, source.text);
    if (result.ok) {
      files.push(result.file);
      report.files.push({ name: source.name, kind: result.file.kind, rows: result.file.rowsRead });
    } else {
      report.files.push({ name: source.name, kind: null, rows: 0 });
      report.problems.push(result.problem);
    }
  }
  if (report.problems.length) {
    report.exitCode = 2;
    return report;
  }

  const problems: RosterProblem[] = files.flatMap((f) => f.problems);
  const staffRecords: StaffRecord[] = [];
  const studentRecords: StudentRecord[] = [];
  const settings = ctx.config;
  // Staff files first, whatever the order given: students name their navigators.
  for (const f of [...files].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'staff' ? -1 : 1))) {
    for (const row of f.rows) {
      if (f.kind === 'staff') {
        const r = validateStaffRow(f.name, row, settings);
        problems.push(...r.problems);
        if (r.record) staffRecords.push(r.record);
      } else {
        const r = validateStudentRow(f.name, row, settings);
        problems.push(...r.problems);
        if (r.record) studentRecords.push(r.record);
      }
    }
  }

  const by = { actor: options.actor ?? 'roster_import', at: ctx.clock() };
  try {
    // One transaction for the whole roster, however many rows: a district never sees half an import.
    const checked = problems.length;
    await ctx.db.transaction(async (tx) => {
      // A transaction PostgreSQL runs again after a conflict reports its problems once.
      problems.length = checked;
      const roster = new RosterRepository(tx);
      const plan = await planRoster(staffRecords, studentRecords, roster, ctx.config);
      problems.push(...plan.problems);
      const applied = await applyRosterPlan(
        plan,
        roster,
        new ConsentRepository(tx),
        by,
        ctx.config.largeCaseloadWarning,
      );
      report.changes = applied.changes;
      report.moves = applied.moves;
      problems.push(...applied.problems);
      if (dryRun) throw new DryRunRollback();
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }

  const order = new Map(sources.map((s, i) => [s.name, i]));
  report.problems = problems
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        (order.get(a.p.file) ?? 0) - (order.get(b.p.file) ?? 0) ||
        (a.p.line ?? Number.MAX_SAFE_INTEGER) - (b.p.line ?? Number.MAX_SAFE_INTEGER) ||
        a.i - b.i,
    )
    .map(({ p }) => p);
  const rejectedRows = new Set(
    report.problems
      .filter((p) => p.severity === 'error' && p.line !== null)
      .map((p) => `${p.file}:${p.line}`),
  );
  report.rows.read = files.reduce((n, f) => n + f.rowsRead, 0);
  report.rows.rejected = rejectedRows.size;
  report.rows.accepted = report.rows.read - report.rows.rejected;
  report.exitCode = report.rows.rejected > 0 ? 1 : 0;
  ctx.logger.info(
    {
      dryRun,
      rows: report.rows,
      changed: changedCount(report),
      warnings: report.problems.filter((p) => p.severity === 'warning').length,
    },
    dryRun ? 'roster checked' : 'roster imported',
  );
  return report;
}

/** Reads roster files from disk and imports them; a file that cannot be opened is a file error (exit 2). */
export async function importRosterFiles(
  ctx: ImportContext,
  paths: string[],
  options: ImportOptions = {},
): Promise<ImportReport> {
  const sources: RosterSource[] = [];
  const unreadable: RosterProblem[] = [];
  for (const path of paths) {
    try {
      sources.push({ name: basename(path), text: readFileSync(path, 'utf8') });
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      unreadable.push({
        file: path,
        line: null,
        column: null,
        severity: 'error',
        message: `cannot be opened: ${reason}`,
      });
    }
  }
  if (unreadable.length) {
    return {
      dryRun: options.dryRun ?? false,
      files: paths.map((p) => ({ name: basename(p), kind: null, rows: 0 })),
      rows: { read: 0, accepted: 0, rejected: 0 },
      changes: emptyChanges(),
      moves: [],
      problems: unreadable,
      exitCode: 2,
    };
  }
  return importRoster(ctx, sources, options);
}
