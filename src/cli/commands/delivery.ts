import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { loadCalendar } from '../../jobs/calendar.js';
import { IsoWeek } from '../../jobs/period.js';
import { createTimerRunner, type TimerHandlers } from '../../jobs/timer-runner.js';
import { type AvailableChannels, availableChannels, planWeek } from '../../jobs/weekly-plan.js';
import { checkinTimerHandlersFor } from '../../services/checkin-timers.js';
import { OutboxRepository } from '../../store/repositories/outbox.js';
import { TimerRepository } from '../../store/repositories/timers.js';
import { OUTBOX_STATUSES, TIMER_STATUSES } from '../../store/schema/index.js';
import { type ContextFactory, runCommand } from '../context.js';
import { CommandError, table } from '../format.js';

/** Shows only the last two characters of an address: enough to tell rows apart, not to reach anyone. */
export function maskAddress(address: string): string {
  return address.length <= 2 ? '**' : `${'*'.repeat(Math.min(8, address.length - 2))}${address.slice(-2)}`;
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function parseWeek(week: string): string {
  const parsed = IsoWeek.safeParse(week.trim());
  if (!parsed.success) throw new CommandError(`Invalid --week ${week}: use an ISO week such as 2026-W48.`);
  return parsed.data;
}

function parseStatus<S extends string>(status: string | undefined, valid: readonly S[]): S | undefined {
  if (status === undefined) return undefined;
  const found = valid.find((s) => s === status);
  if (!found) throw new CommandError(`Unknown status ${status}; use one of ${valid.join(', ')}.`);
  return found;
}

function parseLimit(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (!Number.isInteger(limit) || limit < 1)
    throw new CommandError('--limit must be a whole number of 1 or more.');
  return limit;
}

/** Counts of outcomes, e.g. `started 12, skipped:no_consent 3`. */
function outcomeSummary(log: string[]): string {
  const counts = new Map<string, number>();
  for (const line of log) {
    const outcome = line.slice(line.lastIndexOf('→ ') + 2);
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  return [...counts].map(([o, n]) => `${o} ${n}`).join(', ');
}

/**
 * `checkins run`: plans the week's timers and fires its prompts now. Safe to run twice. Prints what each
 * prompt's handler reported (started, resumed, skipped:no_consent, ...). Throws CommandError on bad input.
 */
export async function runCheckins(
  ctx: AppContext,
  args: {
    school: string;
    week: string;
    calendarPath: string;
    handlers: TimerHandlers;
    channels?: AvailableChannels;
  },
): Promise<string> {
  const week = parseWeek(args.week);
  const plan = await planWeek(ctx, args.school, week, {
    calendar: loadCalendar(args.calendarPath),
    ...(args.channels ? { channels: args.channels } : {}),
  });
  if (plan.skipped === 'unknown_school') {
    const known = await new TimerRepository(ctx.db).schoolIds();
    throw new CommandError(
      `No school with id ${args.school}. ${known.length ? `Known schools: ${known.join(', ')}.` : 'The roster has no schools yet; import it first.'}`,
    );
  }
  if (plan.skipped === 'school_break')
    return `${args.school} ${week}: school break${plan.breakName ? ` (${plan.breakName})` : ''}; nothing planned.`;
  const round = await createTimerRunner({ ctx, handlers: args.handlers }).fireNow(plan.promptKeys);
  const lines = [
    `${args.school} ${week}: ${plan.navigators} navigator(s), ${plan.guardians} family contact(s).`,
    ...(plan.familiesSkipped === 'no_sms_channel'
      ? ['Family check-ins not planned: no SMS channel (configure Twilio, or run in local mode).']
      : []),
    `Timers: ${plan.created} planned now, ${plan.existing} already planned.`,
    `Prompts: ${round.fired} fired, ${round.skipped} skipped, ${round.failed} failed, ${round.missingHandler} without a handler, ${plan.promptKeys.length - round.claimed} already done.`,
    ...(round.log.length ? [`Outcomes: ${outcomeSummary(round.log)}.`] : []),
    ...round.log.map((l) => `  ${l}`),
  ];
  return lines.join('\n');
}

/** `outbox list`: ids, channel, purpose, status, attempts and a masked address; never bodies or numbers. */
export async function listOutbox(
  ctx: AppContext,
  opts: { status?: string; limit?: number },
): Promise<string> {
  const repo = new OutboxRepository(ctx.db);
  const status = parseStatus(opts.status, OUTBOX_STATUSES);
  const rows = await repo.list({ ...(status ? { status } : {}), limit: parseLimit(opts.limit) });
  const counts = Object.entries(await repo.countByStatus())
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  if (rows.length === 0)
    return `No messages${status ? ` with status ${status}` : ''}. (${counts || 'outbox empty'})`;
  return `${table([
    ['ID', 'CHANNEL', 'PURPOSE', 'STATUS', 'ATTEMPTS', 'TO', 'NOT BEFORE', 'LAST ERROR'],
    ...rows.map((r) => [
      r.id,
      r.channel,
      r.purpose,
      r.urgent ? `${r.status}!` : r.status,
      String(r.attempts),
      maskAddress(r.address),
      iso(r.notBefore),
      r.lastError ?? '',
    ]),
  ])}\n(${counts}; ! = urgent)`;
}

/** `outbox retry <id>`: a dead or failed message goes back to pending. Throws CommandError otherwise. */
export async function retryOutbox(ctx: AppContext, id: string): Promise<string> {
  const repo = new OutboxRepository(ctx.db);
  const row = await repo.get(id);
  if (!row) throw new CommandError(`No message with id ${id}. \`outbox list\` shows the ids.`);
  if (!(await repo.retry(id, ctx.clock())))
    throw new CommandError(`Message ${id} is ${row.status}; only dead or failed messages can be retried.`);
  return `Message ${id} is pending again (was ${row.status}); the relay sends it on its next round.`;
}

/** `timers list`: soonest first, with how each ended. */
export async function listTimers(
  ctx: AppContext,
  opts: { status?: string; limit?: number },
): Promise<string> {
  const status = parseStatus(opts.status, TIMER_STATUSES);
  const rows = await new TimerRepository(ctx.db).list({
    ...(status ? { status } : {}),
    limit: parseLimit(opts.limit),
  });
  if (rows.length === 0) return 'No timers.';
  return table([
    ['KIND', 'KEY', 'FIRE AT', 'STATUS', 'OUTCOME'],
    ...rows.map((r) => {
      const outcome = (r.payload as { outcome?: { result: string; reason?: string } } | null)?.outcome;
      return [
        r.kind,
        r.uniqueKey,
        iso(r.fireAt),
        r.status,
        outcome ? `${outcome.result}${outcome.reason ? `:${outcome.reason}` : ''}` : '',
      ];
    }),
  ]);
}

/** Registers the `checkins`, `outbox` and `timers` command groups. */
export function registerDeliveryCommands(program: Command, makeContext: ContextFactory): void {
  const withCtx = (fn: (ctx: AppContext) => string | Promise<string>) => runCommand(makeContext, fn);
  const checkins = program.command('checkins').description('weekly check-ins');
  checkins
    .command('run')
    .description(
      "plan a school's week and queue its prompts now; the running service sends them (safe to run twice)",
    )
    .requiredOption('--school <id>', 'school id')
    .requiredOption('--week <isoWeek>', 'ISO week, e.g. 2026-W48')
    .option('--calendar <path>', 'school calendar file (breaks and holidays)', 'config/calendar.json')
    .action((o: { school: string; week: string; calendar: string }) =>
      withCtx((ctx) =>
        runCheckins(ctx, {
          school: o.school,
          week: o.week,
          calendarPath: o.calendar,
          handlers: checkinTimerHandlersFor(ctx),
          channels: availableChannels(ctx.config),
        }),
      ),
    );

  const outbox = program.command('outbox').description('outbound messages');
  outbox
    .command('list')
    .description('list messages, newest first (no bodies or phone numbers)')
    .option('--status <status>', OUTBOX_STATUSES.join(' | '))
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
    .action((o: { status?: string; limit: number }) => withCtx((ctx) => listOutbox(ctx, o)));
  outbox
    .command('retry <id>')
    .description('send a dead or failed message again')
    .action((id: string) => withCtx((ctx) => retryOutbox(ctx, id)));

  program
    .command('timers')
    .description('durable timers')
    .command('list')
    .description('list timers, soonest first')
    .option('--status <status>', TIMER_STATUSES.join(' | '))
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
    .action((o: { status?: string; limit: number }) => withCtx((ctx) => listTimers(ctx, o)));
}
