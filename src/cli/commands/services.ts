import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AREA_LIST, needAreaOf } from '../../catalog/columns.js';
import { importCatalogFile } from '../../catalog/import.js';
import { formatCatalogReport } from '../../catalog/report.js';
import type { AppContext } from '../../context.js';
import { CatalogRepository } from '../../store/repositories/catalog.js';
import { RosterRepository } from '../../store/repositories/roster.js';
import { type ContextFactory, runCommand } from '../context.js';
import { CommandError, table } from '../format.js';

/** 'cli:<login>' so the audit log says which admin ran the import. */
function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** The catalog as a table: the services a school's students may use (its own and the district's). */
export async function listServices(
  ctx: AppContext,
  options: { school?: string; area?: string; all?: boolean },
): Promise<string> {
  const area = options.area === undefined ? undefined : needAreaOf(options.area);
  if (options.area !== undefined && !area)
    throw new CommandError(`Unknown need area ${options.area}; use one of ${AREA_LIST}.`);
  if (options.school && !(await new RosterRepository(ctx.db).school(options.school)))
    throw new CommandError(`No school with id ${options.school}.`);
  const rows = await new CatalogRepository(ctx.db).list({
    ...(options.school ? { schoolId: options.school } : {}),
    ...(area ? { area } : {}),
    includeInactive: options.all === true,
  });
  if (rows.length === 0) return 'No services match.';
  return table([
    [
      'id',
      'name',
      'need areas',
      'scope',
      'languages',
      'contact',
      'hours',
      ...(options.all ? ['active'] : []),
    ],
    ...rows.map((s) => [
      s.id,
      s.name,
      s.needAreas.join(';'),
      s.schoolId ?? 'district',
      s.languages.join(';') || '-',
      s.contact ?? '-',
      s.hours ?? '-',
      ...(options.all ? [s.active ? 'yes' : 'no'] : []),
    ]),
  ]);
}

/** `services import|list`: the catalog of services needs are referred to; see docs/referrals.md. */
export function registerServiceCommands(program: Command, makeContext: ContextFactory): void {
  const group = program
    .command('services')
    .description('the service catalog needs are referred to: import, list; see docs/referrals.md');
  group
    .command('import')
    .description('import a service catalog CSV; exit 0 all imported, 1 rows rejected, 2 file unreadable')
    .argument('<file>', 'the catalog CSV (see docs/sample-services.csv)')
    .option('--dry-run', 'check and report what would change, without writing anything')
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const ctx = await makeContext();
      try {
        const report = await importCatalogFile(ctx, file, {
          dryRun: opts.dryRun ?? false,
          actor: actor(),
          // Progress on stderr keeps stdout to the report.
          onProgress: (done, total) => {
            if (total >= 1000) console.error(`… ${done} of ${total} rows`);
          },
        });
        console.log(formatCatalogReport(report));
        process.exitCode = report.exitCode;
      } finally {
        await ctx.db.close();
      }
    });
  group
    .command('list')
    .description('services by name; with --school, those its students may use (its own and district-wide)')
    .option('--school <schoolId>', 'only services a student of this school may use')
    .option('--area <area>', `only services for this need area (${AREA_LIST})`)
    .option('--all', 'include services marked inactive')
    .action((o: { school?: string; area?: string; all?: boolean }) =>
      runCommand(makeContext, (ctx) => listServices(ctx, o)),
    );
}
