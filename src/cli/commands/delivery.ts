import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { loadCalendar } from '../../jobs/calendar.js';
import { IsoWeek } from '../../jobs/period.js';
import { createTimerRunner, type TimerHandlers } from '../../jobs/timer-runner.js';
import { planWeek } from '../../jobs/weekly-plan.js';
import { checkinTimerHandlersFor } from '../../services/checkin-timers.js';
import { OutboxRepository } from '../../store/repositories/outbox.js';
import { TimerRepository } from '../../store/repositories/timers.js';
import { OUTBOX_STATUSES, TIMER_STATUSES } from '../../store/schema/index.js';
import { cliContext } from '../context.js';

/** Shows only the last two characters of an address: enough to tell rows apart, not to reach anyone. */
export function maskAddress(address: string): string {
  return address.length <= 2 ? '**' : `${'*'.repeat(Math.min(8, address.length - 2))}${address.slice(-2)}`;
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `checkins run`: plans the week's timers and fires its prompts now. Safe to run twice. */
export async function runCheckins(
  ctx: AppContext,
  args: { school: string; week: string; calendarPath: string; handlers: TimerHandlers },
): Promise<string> {
  const week = IsoWeek.parse(args.week);
  const plan = planWeek(ctx, args.school, week, { calendar: loadCalendar(args.calendarPath) });
  if (plan.skipped === 'unknown_school') return `No school with id ${args.school}.`;
  if (plan.skipped === 'school_break')
    return `${args.school} ${week}: school break${plan.breakName ? ` (${plan.breakName})` : ''}; nothing planned.`;
  const round = await createTimerRunner({ ctx, handlers: args.handlers }).fireNow(plan.promptKeys);
  const lines = [
    `${args.school} ${week}: ${plan.navigators} navigator(s), ${plan.guardians} family contact(s).`,
    `Timers: ${plan.created} planned now, ${plan.existing} already planned.`,
    `Prompts: ${round.fired} fired, ${round.skipped} skipped, ${round.failed} failed, ${round.missingHandler} without a handler, ${plan.promptKeys.length - round.claimed} already done.`,
    ...round.log.map((l) => `  ${l}`),
  ];
  return lines.join('\n');
}

/** `outbox list`: ids, channel, purpose, status, attempts and a masked address; never bodies or numbers. */
export function listOutbox(ctx: AppContext, opts: { status?: string; limit?: number }): string {
  const repo = new OutboxRepository(ctx.db);
  const status = opts.status
    ? (OUTBOX_STATUSES as readonly string[]).find((s) => s === opts.status)
    : undefined;
  if (opts.status && !status)
    return `Unknown status ${opts.status}; use one of ${OUTBOX_STATUSES.join(', ')}.`;
  const rows = repo.list({ ...(status ? { status: status as never } : {}), limit: opts.limit ?? 50 });
  const counts = Object.entries(repo.countByStatus())
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

/** `outbox retry <id>`: a dead or failed message goes back to pending. */
export function retryOutbox(ctx: AppContext, id: string): string {
  const repo = new OutboxRepository(ctx.db);
  const row = repo.get(id);
  if (!row) return `No message with id ${id}.`;
  if (!repo.retry(id, ctx.clock()))
    return `Message ${id} is ${row.status}; only dead or failed messages can be retried.`;
  return `Message ${id} is pending again (was ${row.status}); the relay sends it on its next round.`;
}

/** `timers list`: soonest first, with how each ended. */
export function listTimers(ctx: AppContext, opts: { status?: string; limit?: number }): string {
  const status = opts.status
    ? (TIMER_STATUSES as readonly string[]).find((s) => s === opts.status)
    : undefined;
  if (opts.status && !status)
    return `Unknown status ${opts.status}; use one of ${TIMER_STATUSES.join(', ')}.`;
  const rows = new TimerRepository(ctx.db).list({
    ...(status ? { status: status as never } : {}),
    limit: opts.limit ?? 50,
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
export function registerDeliveryCommands(
  program: Command,
  makeContext: () => AppContext = () => cliContext(),
): void {
  const withCtx = async (fn: (ctx: AppContext) => string | Promise<string>) => {
    const ctx = makeContext();
    try {
      console.log(await fn(ctx));
    } finally {
      ctx.db.$client.close();
    }
  };
  const checkins = program.command('checkins').description('weekly check-ins');
  checkins
    .command('run')
    .description("plan a school's week and send its prompts now (safe to run twice)")
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
