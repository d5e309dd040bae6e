import { problemSection, type RosterProblem } from '../roster/report.js';

/** What a catalog import did (or, in a dry run, would do). */
export interface CatalogReport {
  dryRun: boolean;
  file: string;
  rows: { read: number; accepted: number; rejected: number };
  services: { created: number; updated: number; unchanged: number };
  problems: RosterProblem[];
  /** 0 all rows imported, 1 some rows rejected, 2 the file could not be read (nothing imported). */
  exitCode: 0 | 1 | 2;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The report printed by `services import`. */
export function formatCatalogReport(report: CatalogReport): string {
  const out: string[] = [];
  out.push(report.dryRun ? 'Service catalog check (dry run: nothing was written)' : 'Service catalog import');
  out.push(`File: ${report.file}`);
  if (report.exitCode === 2) out.push('Nothing was imported: the file could not be read.');
  else {
    const r = report.rows;
    const s = report.services;
    out.push(`Rows: ${r.read} read, ${r.accepted} accepted, ${r.rejected} rejected`);
    out.push(`Services: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged`);
  }
  const { warnings, lines } = problemSection(report.problems);
  out.push(...lines);
  out.push('');
  const changed = report.services.created + report.services.updated;
  out.push(
    report.exitCode === 2
      ? 'Result: nothing imported'
      : `Result: ${changed} ${report.dryRun ? 'would change' : 'changed'}, ${report.rows.rejected} rejected, ${plural(warnings, 'warning')}`,
  );
  return out.join('\n');
}
