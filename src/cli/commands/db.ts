import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { SqliteStore } from '../../store/db.js';
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

export function registerDbCommands(program: Command, makeContext: ContextFactory): void {
  const db = program.command('db').description('the database: backups');
  db.command('backup <file>')
    .description('copy the database while the service runs, and check the copy')
    .action((file: string) => runCommand(makeContext, (ctx) => backupDatabase(ctx, file)));
}
