import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { COPY_BATCH_ROWS, CopyError, type CopyProgress, copyDatabase } from '../../store/copy.js';
import { connectDatabase, SqliteStore } from '../../store/db.js';
import { DatabaseUnavailable } from '../../store/unavailable.js';
import { type ContextFactory, runCommand } from '../context.js';
import { CommandError } from '../format.js';

/**
 * `db backup <file>`: an online copy of the database (the service may keep running), opened afterwards and
 * checked with SQLite's integrity check, so the copy is known to restore. A failed check exits 1.
 */
export async function backupDatabase(ctx: AppContext, file: string): Promise<string> {
  if (!(ctx.db instanceof SqliteStore))
    throw new CommandError(
      "The database is PostgreSQL: back it up with pg_dump (or the server's own backups), as docs/deploy.md shows.",
    );
  const result = await ctx.db.backup(file);
  if (result.integrity !== 'ok')
    throw new CommandError(
      `Backup written to ${result.file} but its integrity check failed: ${result.integrity}`,
    );
  return `Backup written to ${result.file} (${result.pages} pages); integrity check: ok. Restore by stopping the service and copying it over the DATABASE_URL file.`;
}

const thousands = (n: number) => n.toLocaleString('en-US');

/**
 * `db copy --to <postgres url>`: moves the district from the configured SQLite database to an empty PostgreSQL
 * database (migrated on opening), table by table, then compares the row counts of every table; any difference
 * exits 1. Progress goes to `progress` (stderr), so stdout keeps the summary alone.
 */
export async function copyToPostgres(
  ctx: AppContext,
  to: string,
  progress: (line: string) => void = (line) => console.error(line),
): Promise<string> {
  if (!(ctx.db instanceof SqliteStore))
    throw new CommandError(
      'The configured database is already PostgreSQL: set DATABASE_URL to the SQLite file (file:…) to copy from.',
    );
  if (!/^postgres(ql)?:\/\//i.test(to))
    throw new CommandError('--to: give a PostgreSQL URL, e.g. postgres://user:password@host:5432/database');
  let target: Awaited<ReturnType<typeof connectDatabase>>;
  try {
    target = await connectDatabase({ databasePath: '', postgresUrl: to });
  } catch (err) {
    if (err instanceof DatabaseUnavailable)
      throw new CommandError(err.message.replace(/^DATABASE_URL:/, '--to:'));
    throw err;
  }
  try {
    const result = await copyDatabase(ctx.db, target, {
      // Small tables fit one batch: only tables copied in several get progress lines.
      onProgress: ({ table, copied, total }: CopyProgress) => {
        if (total > COPY_BATCH_ROWS) progress(`${table}: ${thousands(copied)} of ${thousands(total)} rows`);
      },
    });
    const width = Math.max(...result.tables.map((t) => t.table.length));
    const rows = result.tables.reduce((n, t) => n + t.rows, 0);
    return [
      ...result.tables.map((t) => `${t.table.padEnd(width)}  ${thousands(t.rows).padStart(10)}`),
      `Copied ${thousands(rows)} rows in ${result.tables.length} tables in ${result.seconds.toFixed(1)} s; row counts match on both sides.`,
    ].join('\n');
  } catch (err) {
    if (err instanceof CopyError) throw new CommandError(err.message);
    throw err;
  } finally {
    await target.close();
  }
}

export function registerDbCommands(program: Command, makeContext: ContextFactory): void {
  const db = program.command('db').description('the database: backups, and the move to PostgreSQL');
  db.command('backup <file>')
    .description('copy the database while the service runs, and check the copy')
    .action((file: string) => runCommand(makeContext, (ctx) => backupDatabase(ctx, file)));
  db.command('copy')
    .description(
      'copy the SQLite database (DATABASE_URL) into an empty PostgreSQL database; stop the service first',
    )
    .requiredOption('--to <url>', 'the PostgreSQL database, e.g. postgres://user:password@host:5432/checkins')
    .addHelpText(
      'after',
      '\nStop the service before copying: writes made during the copy would be missed. The target must be empty\n' +
        '(it is migrated on opening); row counts are compared table by table afterwards, and any difference\n' +
        'exits 1. Then set DATABASE_URL to the PostgreSQL URL and start the service.',
    )
    .action((options: { to: string }) => runCommand(makeContext, (ctx) => copyToPostgres(ctx, options.to)));
}
