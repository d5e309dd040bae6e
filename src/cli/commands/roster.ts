import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { exportRoster } from '../../roster/export.js';
import { importRosterFiles } from '../../roster/import.js';
import { formatImportReport } from '../../roster/report.js';
import type { ContextFactory } from '../context.js';

/** 'cli:<login>' so the audit log says which admin ran the import. */
function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function runImport(ctx: AppContext, files: string[], dryRun: boolean): Promise<void> {
  try {
    const report = await importRosterFiles(ctx, files, { dryRun, actor: actor() });
    console.log(formatImportReport(report));
    process.exitCode = report.exitCode;
  } finally {
    await ctx.db.close();
  }
}

/** `roster import|validate|export`: see docs/roster.md for the file format. */
export function registerRosterCommands(program: Command, makeContext: ContextFactory): void {
  const roster = program
    .command('roster')
    .description(
      'import, check and export the roster (schools, staff, students, guardians); see docs/roster.md',
    );

  roster
    .command('import')
    .description(
      'import staff and students CSV files; exit 0 all imported, 1 rows rejected, 2 file unreadable',
    )
    .argument('<files...>', 'staff and/or students CSV files, in any order')
    .option('--dry-run', 'check and report what would change, without writing anything')
    .action(async (files: string[], opts: { dryRun?: boolean }) =>
      runImport(await makeContext(), files, opts.dryRun ?? false),
    );

  roster
    .command('validate')
    .description('same as import --dry-run')
    .argument('<files...>', 'staff and/or students CSV files')
    .action(async (files: string[]) => runImport(await makeContext(), files, true));

  roster
    .command('export')
    .description('export the roster in the import format (importing it back changes nothing)')
    .option('--out <dir>', 'write staff.csv and students.csv into this folder')
    .option('--kind <kind>', 'print only one file to standard output: staff or students')
    .action(async (opts: { out?: string; kind?: string }) => {
      if (opts.kind !== undefined && opts.kind !== 'staff' && opts.kind !== 'students') {
        console.error('--kind must be staff or students');
        process.exitCode = 2;
        return;
      }
      if (!opts.out && !opts.kind) {
        console.error(
          'give --out <dir> to write staff.csv and students.csv, or --kind staff|students to print one',
        );
        process.exitCode = 2;
        return;
      }
      const ctx = await makeContext();
      try {
        const files = await exportRoster(ctx);
        for (const id of files.truncated)
          console.error(`warning: student ${id} has more than two guardians; only two are exported`);
        const kinds = opts.kind ? [opts.kind as 'staff' | 'students'] : (['staff', 'students'] as const);
        if (!opts.out) {
          process.stdout.write(files[kinds[0]!]);
          return;
        }
        mkdirSync(opts.out, { recursive: true });
        for (const kind of kinds) {
          const path = join(opts.out, `${kind}.csv`);
          writeFileSync(path, files[kind]);
          console.log(`wrote ${path}`);
        }
      } finally {
        await ctx.db.close();
      }
    });
}
