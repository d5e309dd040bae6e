import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { actOnEscalation } from '../../services/escalation-actions.js';
import {
  ESCALATION_OUTCOMES,
  type EscalationAction,
  type EscalationOutcome,
} from '../../services/escalation-rules.js';
import { escalationRef } from '../../services/escalations.js';
import { NeedRepository } from '../../store/repositories/needs.js';
import { RosterRepository } from '../../store/repositories/roster.js';
import { ESCALATION_STATUSES } from '../../vocabulary.js';
import { type ContextFactory, runCommand } from '../context.js';
import { CommandError, table } from '../format.js';

const iso = (ms: number | null) =>
  ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** Not yet acknowledged: the climbing reminders still run for these. */
const WAITING = new Set(['open', 'claimed']);

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
    const overdue = WAITING.has(e.status) && e.dueAt !== null && e.dueAt < now ? ' OVERDUE' : '';
    lines.push([
      escalationRef(e.id),
      e.urgent ? 'yes' : '',
      s ? `${s.firstName[0]}. ${s.lastName[0]}. (grade ${s.grade})` : e.guardianId ? 'family' : '-',
      e.trigger,
      e.status,
      e.counselorId ?? '-',
      `${iso(e.dueAt)}${overdue}`,
      e.outcome ?? '',
    ]);
  }
  return table([['ref', 'urgent', 'student', 'trigger', 'status', 'counselor', 'due', 'outcome'], ...lines]);
}

/**
 * One action through the same rules as the chat buttons: the reply is the sentence a chat user would see
 * (in the actor's language), and a refusal exits non-zero.
 */
export async function escalationAction(
  ctx: AppContext,
  ref: string,
  by: string,
  action: EscalationAction,
): Promise<string> {
  const result = await actOnEscalation(ctx, ref, by, action, { locale: 'en' });
  if (!result.ok) throw new CommandError(result.message);
  return result.message;
}

type By = { by: string };
const outcomes = ESCALATION_OUTCOMES.join(', ');

/** `escalations list|claim|ack|note|reassign|resolve`: the counselor hand-offs, from the command line. */
export function registerEscalationCommands(program: Command, makeContext: ContextFactory): void {
  const run = (fn: (ctx: AppContext) => Promise<string>) => runCommand(makeContext, fn);
  const act = (ref: string, by: string, action: EscalationAction) =>
    run((ctx) => escalationAction(ctx, ref, by, action));
  const group = program
    .command('escalations')
    .description('hand-offs to counselors: list, claim, ack, note, reassign, resolve')
    .addHelpText(
      'after',
      [
        '',
        'Counselors of the student’s school and district counselors claim and acknowledge; the holder or a',
        'lead navigator reassigns and resolves; navigators may only add notes. A refusal is printed with the',
        'reason and exits with status 1. <ref> is the short reference shown by `list` (or the full id).',
      ].join('\n'),
    );
  group
    .command('list')
    .description('escalations by status (default open), newest first; no names, notes or family words')
    .option('--status <status>', `one of ${ESCALATION_STATUSES.join(', ')}, or all`)
    .action((o: { status?: string }) => run((ctx) => listEscalations(ctx, o)));
  group
    .command('claim <ref>')
    .description('a counselor takes an escalation; a claim is exclusive')
    .requiredOption('--by <staffId>', 'the counselor taking it')
    .action((ref: string, o: By) => act(ref, o.by, { kind: 'claim' }));
  group
    .command('ack <ref>')
    .description('the holder acknowledges it: the climbing reminders stop (takes it if nobody holds it)')
    .requiredOption('--by <staffId>', 'the counselor acknowledging')
    .action((ref: string, o: By) => act(ref, o.by, { kind: 'acknowledge' }));
  group
    .command('note <ref>')
    .description('add a note, seen only in the private details (counselors, lead navigators, navigators)')
    .requiredOption('--by <staffId>', 'who writes it')
    .requiredOption('--text <text>', 'the note')
    .action((ref: string, o: By & { text: string }) => act(ref, o.by, { kind: 'note', text: o.text }));
  group
    .command('reassign <ref>')
    .description('hand it to another counselor (by the holder or a lead navigator)')
    .requiredOption('--by <staffId>', 'the holder or a lead navigator')
    .requiredOption('--to <staffId>', 'the counselor taking it over')
    .action((ref: string, o: By & { to: string }) => act(ref, o.by, { kind: 'reassign', to: o.to }));
  group
    .command('resolve <ref>')
    .description('close it with an outcome (by the holder or a lead navigator)')
    .requiredOption('--by <staffId>', 'the holder or a lead navigator')
    .requiredOption('--outcome <outcome>', `one of ${outcomes}`)
    .option('--text <text>', 'a closing note (optional)')
    .action((ref: string, o: By & { outcome: string; text?: string }) =>
      act(ref, o.by, {
        kind: 'resolve',
        // Checked by the service, which answers an unknown outcome with the list of valid ones.
        outcome: o.outcome as EscalationOutcome,
        ...(o.text ? { note: o.text } : {}),
      }),
    );
}
