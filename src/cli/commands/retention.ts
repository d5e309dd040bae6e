import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { runRetention } from '../../services/retention.js';
import { type ContextFactory, runCommand } from '../context.js';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `retention run [--dry-run]`: applies the retention policy now, or only counts what it would change. */
export async function retentionRun(ctx: AppContext, dryRun: boolean): Promise<string> {
  const r = await runRetention(ctx, { dryRun });
  const c = r.counts;
  const verb = dryRun ? 'Would redact' : 'Redacted';
  return [
    `${verb} message bodies from before ${day(r.bodiesBefore)}: ${c.outboxBodies} sent, ${c.familyTexts} family texts, ${c.familyMessages} family messages.`,
    `${verb} staff notes of ${c.escalationNotes} escalations and ${c.referralReasons} referral decline reasons closed before ${day(r.bodiesBefore)}.`,
    `${dryRun ? 'Would delete' : 'Deleted'} ${c.auditEntries} audit entries from before ${day(r.auditBefore)}.`,
  ].join('\n');
}

export function registerRetentionCommands(program: Command, makeContext: ContextFactory): void {
  program
    .command('retention')
    .description('the retention policy (RETENTION_MESSAGE_DAYS, RETENTION_AUDIT_YEARS)')
    .command('run')
    .description('redact old message bodies and delete old audit entries')
    .option('--dry-run', 'only count what would change')
    .action((opts: { dryRun?: boolean }) =>
      runCommand(makeContext, (ctx) => retentionRun(ctx, opts.dryRun ?? false)),
    );
}
