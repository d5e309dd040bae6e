import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { completeTask, listTasks } from '../../services/navigator-tasks.js';
import { NAVIGATOR_TASK_STATUSES, type NavigatorTaskStatus } from '../../store/schema/index.js';
import { type ContextFactory, runCommand } from '../context.js';
import { CommandError, table } from '../format.js';

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** Navigators' tasks (a family's call request), minimum necessary: reference, initials and grade, deadline. */
export async function tasksList(
  ctx: AppContext,
  options: { navigator?: string; status?: string },
): Promise<string> {
  const status = options.status ?? 'open';
  if (status !== 'all' && !(NAVIGATOR_TASK_STATUSES as readonly string[]).includes(status))
    throw new CommandError(
      `Unknown status ${status}; use one of ${NAVIGATOR_TASK_STATUSES.join(', ')} or all.`,
    );
  const rows = await listTasks(ctx.db, ctx.clock(), {
    ...(options.navigator ? { navigatorId: options.navigator } : {}),
    ...(status === 'all' ? {} : { status: status as NavigatorTaskStatus }),
  });
  if (rows.length === 0) return `No ${status === 'all' ? '' : `${status} `}tasks.`;
  return table([
    ['ref', 'kind', 'navigator', 'student', 'status', 'due (UTC)'],
    ...rows.map((t) => [
      t.ref,
      t.kind,
      t.navigatorId,
      t.student,
      t.status,
      `${iso(t.dueAt)}${t.overdue ? ' OVERDUE' : ''}`,
    ]),
  ]);
}

/** Marks a task done as a staff member, with the same rule as every channel; a refusal says why. */
export async function tasksDone(ctx: AppContext, ref: string, by: string): Promise<string> {
  const result = await completeTask(ctx, ref, by);
  if (!result.ok) throw new CommandError(result.message);
  return result.message;
}

/** `tasks list|done`: what navigators owe families (call requests) and marking it done. */
export function registerTaskCommands(program: Command, makeContext: ContextFactory): void {
  const run = (fn: (ctx: AppContext) => Promise<string>) => runCommand(makeContext, fn);
  const group = program
    .command('tasks')
    .description("navigators' tasks (a family's call request): list, done");
  group
    .command('list')
    .description('tasks by status (default open), soonest deadline first')
    .option('--navigator <staffId>', "one navigator's tasks")
    .option('--status <status>', `one of ${NAVIGATOR_TASK_STATUSES.join(', ')}, or all`)
    .action((o: { navigator?: string; status?: string }) => run((ctx) => tasksList(ctx, o)));
  group
    .command('done <ref>')
    .description('mark a task done (stops the notice to the lead navigator)')
    .requiredOption('--by <staffId>', "the student's navigator, or a lead navigator")
    .action((ref: string, o: { by: string }) => run((ctx) => tasksDone(ctx, ref, o.by)));
}
