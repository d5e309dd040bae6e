import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { escalationRef } from '../../services/escalations.js';
import { updateEscalation } from '../../services/staff-actions.js';
import { NeedRepository } from '../../store/repositories/needs.js';
import { RosterRepository } from '../../store/repositories/roster.js';
import { ESCALATION_STATUSES } from '../../vocabulary.js';
import { runCommand } from '../context.js';
import { CommandError, table } from '../format.js';

const iso = (ms: number | null) =>
  ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** Open (or all) escalations, minimum necessary: reference, initials and grade, trigger, status, due. */
export async function listEscalations(ctx: AppContext, options: { status?: string }): Promise<string> {
  const status = options.status;
  if (status && status !== 'all' && !(ESCALATION_STATUSES as readonly string[]).includes(status))
    throw new CommandError(`Unknown status ${status}; use one of ${ESCALATION_STATUSES.join(', ')} or all.`);
  const rows = await new NeedRepository(ctx.db).escalations(
    status === 'all' ? undefined : ((status ?? 'open') as (typeof ESCALATION_STATUSES)[number]),
  );
  if (rows.length === 0) return `No ${status === 'all' ? '' : `${status ?? 'open'} `}escalations.`;
  const roster = new RosterRepository(ctx.db);
  const now = ctx.clock();
  const lines: string[][] = [];
  for (const e of rows) {
    const s = e.studentId ? await roster.student(e.studentId) : undefined;
    const overdue = e.status === 'open' && e.dueAt !== null && e.dueAt < now ? ' OVERDUE' : '';
    lines.push([
      escalationRef(e.id),
      e.urgent ? 'yes' : '',
      s ? `${s.firstName[0]}. ${s.lastName[0]}. (grade ${s.grade})` : e.guardianId ? 'family' : '-',
      e.trigger,
      e.status,
      e.counselorId ?? '-',
      `${iso(e.dueAt)}${overdue}`,
    ]);
  }
  return table([['ref', 'urgent', 'student', 'trigger', 'status', 'counselor', 'due'], ...lines]);
}

async function change(
  ctx: AppContext,
  ref: string,
  by: string,
  status: 'claimed' | 'resolved',
): Promise<string> {
  const result = await updateEscalation(ctx, ref, by, status);
  if (!result.ok) {
    const why = {
      'escalation:not_found': `No escalation with reference ${ref} (see 'escalations list').`,
      'escalation:unknown_staff': `No staff member with id ${by}.`,
      'escalation:already_resolved': `Escalation ${ref} is resolved already.`,
    }[result.problem];
    throw new CommandError(why);
  }
  return `Escalation ${escalationRef(result.id)} ${status} by ${by}.`;
}

/** `escalations list|claim|resolve`: what counselors picked up, and marking it from the command line. */
export function registerEscalationCommands(program: Command, makeContext: () => AppContext): void {
  const run = (fn: (ctx: AppContext) => Promise<string>) => runCommand(makeContext, fn);
  const group = program.command('escalations').description('hand-offs to counselors: list, claim, resolve');
  group
    .command('list')
    .description('escalations by status (default open), newest first; no notes or family words are shown')
    .option('--status <status>', `one of ${ESCALATION_STATUSES.join(', ')}, or all`)
    .action((o: { status?: string }) => run((ctx) => listEscalations(ctx, o)));
  group
    .command('claim <ref>')
    .description('a counselor takes an escalation (stops the overdue notice to lead navigators)')
    .requiredOption('--by <staffId>', 'the counselor taking it')
    .action((ref: string, o: { by: string }) => run((ctx) => change(ctx, ref, o.by, 'claimed')));
  group
    .command('resolve <ref>')
    .description('close an escalation')
    .requiredOption('--by <staffId>', 'who closes it')
    .action((ref: string, o: { by: string }) => run((ctx) => change(ctx, ref, o.by, 'resolved')));
}
