import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { AppContext } from '../context.js';
import type { RosterProblem } from '../roster/report.js';
import { CatalogRepository } from '../store/repositories/catalog.js';
import { RosterRepository } from '../store/repositories/roster.js';
import { readCatalogCsv } from './csv.js';
import type { CatalogReport } from './report.js';
import { type ServiceRecord, validateServiceRow } from './validate.js';

export interface CatalogImportOptions {
  /** Check everything and report what would change, then roll back: nothing is written. */
  dryRun?: boolean;
  /** Who the audit log names, e.g. 'cli:jdoe'. Default 'catalog_import'. */
  actor?: string;
  /** Called every `progressEvery` rows written (and once at the end) with rows done and rows in all. */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
}

export type CatalogContext = Pick<AppContext, 'db' | 'clock' | 'logger'>;

class DryRunRollback extends Error {}

/**
 * Imports a service catalog file in one transaction. Rows with errors are left out and reported with line
 * and column; the good rows are written as upserts on the natural key (each change audit-logged), so the
 * same file imported twice changes nothing and an edited row updates its service. A service missing from
 * the file is left as it is: a partial file must not switch off the rest of the catalog (`active` = no does).
 * Example: `importCatalog(ctx, { name: 'services.csv', text })`.
 */
export async function importCatalog(
  ctx: CatalogContext,
  source: { name: string; text: string },
  options: CatalogImportOptions = {},
): Promise<CatalogReport> {
  const dryRun = options.dryRun ?? false;
  const report: CatalogReport = {
    dryRun,
    file: source.name,
    rows: { read: 0, accepted: 0, rejected: 0 },
    services: { created: 0, updated: 0, unchanged: 0 },
    problems: [],
    exitCode: 0,
  };
  const read = readCatalogCsv(source.name, source.text);
  if (!read.ok) {
    report.problems.push(read.problem);
    report.exitCode = 2;
    return report;
  }
  const file = read.file;
  const problems: RosterProblem[] = [...file.problems];
  const records: ServiceRecord[] = [];
  const seen = new Map<string, number>();
  for (const row of file.rows) {
    const checked = validateServiceRow(file.name, row);
    problems.push(...checked.problems);
    if (!checked.record) continue;
    const first = seen.get(checked.record.id);
    if (first !== undefined) {
      problems.push({
        file: file.name,
        line: row.line,
        column: 'service_id',
        severity: 'error',
        message: `the same service as line ${first} (${checked.record.id}); each service appears once`,
      });
      continue;
    }
    seen.set(checked.record.id, row.line);
    records.push(checked.record);
  }

  const by = { actor: options.actor ?? 'catalog_import', at: ctx.clock() };
  const every = Math.max(1, options.progressEvery ?? 500);
  const validated = problems.length;
  try {
    await ctx.db.transaction(async (tx) => {
      // A transaction PostgreSQL runs again after a conflict reports its problems and counts once.
      problems.length = validated;
      report.services = { created: 0, updated: 0, unchanged: 0 };
      const roster = new RosterRepository(tx);
      const catalog = new CatalogRepository(tx);
      const schools = new Map<string, boolean>();
      let done = 0;
      for (const r of records) {
        done++;
        if (r.schoolId !== null) {
          if (!schools.has(r.schoolId))
            schools.set(r.schoolId, (await roster.school(r.schoolId)) !== undefined);
          if (!schools.get(r.schoolId)) {
            problems.push({
              file: r.file,
              line: r.line,
              column: 'school_id',
              severity: 'error',
              message: `unknown school "${r.schoolId}"; import the roster first, or leave it blank for a district-wide service`,
            });
            continue;
          }
        }
        const change = await catalog.upsertService(
          {
            id: r.id,
            name: r.name,
            needAreas: r.needAreas,
            contact: r.contact,
            languages: r.languages,
            hours: r.hours,
            notes: r.notes,
            schoolId: r.schoolId,
            active: r.active,
          },
          by,
        );
        report.services[change]++;
        if (options.onProgress && done % every === 0) options.onProgress(done, records.length);
      }
      if (options.onProgress && records.length % every !== 0)
        options.onProgress(records.length, records.length);
      if (dryRun) throw new DryRunRollback();
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }

  report.problems = problems
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) => (a.p.line ?? Number.MAX_SAFE_INTEGER) - (b.p.line ?? Number.MAX_SAFE_INTEGER) || a.i - b.i,
    )
    .map(({ p }) => p);
  const rejected = new Set(
    report.problems.filter((p) => p.severity === 'error' && p.line !== null).map((p) => p.line),
  );
  report.rows.read = file.rowsRead;
  report.rows.rejected = rejected.size;
  report.rows.accepted = file.rowsRead - rejected.size;
  report.exitCode = rejected.size > 0 ? 1 : 0;
  ctx.logger.info(
    { dryRun, rows: report.rows, services: report.services },
    dryRun ? 'service catalog checked' : 'service catalog imported',
  );
  return report;
}

/** Reads a catalog file from disk and imports it; a file that cannot be opened is a file error (exit 2). */
export async function importCatalogFile(
  ctx: CatalogContext,
  path: string,
  options: CatalogImportOptions = {},
): Promise<CatalogReport> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    return {
      dryRun: options.dryRun ?? false,
      file: basename(path),
      rows: { read: 0, accepted: 0, rejected: 0 },
      services: { created: 0, updated: 0, unchanged: 0 },
      problems: [
        { file: path, line: null, column: null, severity: 'error', message: `cannot be opened: ${reason}` },
      ],
      exitCode: 2,
    };
  }
  return importCatalog(ctx, { name: basename(path), text }, options);
}
