import type { AppContext } from '../context.js';
import { importRoster } from '../roster/import.js';
import { formatProblem, type ImportReport } from '../roster/report.js';
import { demoRosterCsv } from './roster.js';

/** What seeding did: `created` is 0 on every run after the first. */
export interface DemoSeedResult {
  created: number;
  updated: number;
  unchanged: number;
  warnings: number;
  report: ImportReport;
}

/**
 * Seeds the demo district (2 schools, 4 navigators, 48 students) through the real roster importer.
 * Idempotent: a second run changes nothing. Throws if the demo data itself is rejected (a bug).
 */
export async function seedDemoRoster(ctx: AppContext): Promise<DemoSeedResult> {
  const csv = demoRosterCsv();
  const report = await importRoster(
    ctx,
    [
      { name: 'demo-staff.csv', text: csv.staff },
      { name: 'demo-students.csv', text: csv.students },
    ],
    { actor: 'demo_seed' },
  );
  if (report.exitCode !== 0) {
    const errors = report.problems.filter((p) => p.severity === 'error').map(formatProblem);
    throw new Error(`demo roster rejected:\n${errors.join('\n')}`);
  }
  const total = (k: 'created' | 'updated' | 'unchanged' | 'removed') =>
    Object.values(report.changes).reduce((n, c) => n + c[k], 0);
  return {
    created: total('created'),
    updated: total('updated') + total('removed'),
    unchanged: total('unchanged'),
    warnings: report.problems.length,
    report,
  };
}
