import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../../context.js';
import { loadCalendar } from '../../jobs/calendar.js';
import { isoWeekOf } from '../../jobs/period.js';
import { computeDigest } from '../../services/digest.js';
import { districtNeedsCsv } from '../../services/digest-district.js';
import { type Digest, type DigestScope, WAITING_NEED_DAYS } from '../../services/digest-figures.js';
import { type ContextFactory, runCommand } from '../context.js';
import { CommandError, table } from '../format.js';

const FORMATS = ['text', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Options of `digest`, as commander parses them. */
interface DigestArgs {
  school?: string;
  district?: boolean;
  week?: string;
  format?: string;
  calendar: string;
  waitingDays?: string;
}

const pct = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 100)}%`);
const signed = (n: number | null) => (n === null ? '-' : n > 0 ? `+${n}` : String(n));

/** The digest for reading in a terminal: the same figures as json and csv. */
export function digestText(d: Digest): string {
  const f = d.families;
  const head = `Digest ${d.week} — ${d.scope === 'district' ? 'district' : d.schools[0]!.name} (as of ${new Date(d.asOf).toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
  const navigators = table([
    [
      'navigator',
      'caseload',
      'met',
      'not reached',
      'skipped',
      'missed',
      'open',
      'not started',
      'break',
      'left',
      'late',
    ],
    ...d.navigators.map((n) => [
      n.navigatorId,
      ...[
        n.caseload,
        n.met,
        n.notReached,
        n.skipped,
        n.missed,
        n.open,
        n.notStarted,
        n.schoolBreak,
        n.leftCaseload,
      ].map(String),
      n.late ? 'LATE' : '',
    ]),
  ]);
  const languages = table([
    [
      'language',
      'families',
      'texted',
      'delivered',
      'replied',
      'opted out',
      'opted out this week',
      'unreachable',
    ],
    ...Object.entries(f.byLanguage).map(([lng, c]) => [
      lng,
      ...[c.families, c.texted, c.delivered, c.replied, c.optedOut, c.optedOutThisWeek, c.unreachable].map(
        String,
      ),
    ]),
  ]);
  const silent = Object.entries(f.silent.byReason)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const newNeeds = Object.entries(d.needs.newThisWeek.byArea)
    .map(([area, s]) => `${area} (high ${s.high}, medium ${s.medium}, low ${s.low})`)
    .join('; ');
  const waiting = Object.entries(d.needs.waitingWithoutReferral.byArea)
    .map(([area, n]) => `${area} ${n}`)
    .join(', ');
  const e = d.escalations;
  return [
    head,
    ...(d.breakSchools.length ? [`School break: ${d.breakSchools.join(', ')}`] : []),
    '',
    `Check-ins: ${d.completion.completed} of ${d.completion.expected} done (${pct(d.completion.rate)}, ${signed(d.change.completionRate)} points from last week; done ${signed(d.change.completed)}, missed ${signed(d.change.missed)})`,
    navigators,
    '',
    `Families: ${f.families}; texted ${f.texted}, delivered ${f.delivered}, replied ${f.replied} (${signed(d.change.familiesReplied)}), opted out ${f.optedOut} (${f.optedOutThisWeek} this week), unreachable ${f.unreachable}`,
    languages,
    `Silent for ${f.silent.weeks} weeks or more: ${f.silent.total}${silent ? ` (${silent})` : ''}`,
    ...(d.unknownNumberTexts === undefined
      ? []
      : [`Texts from numbers not on the roster: ${d.unknownNumberTexts}`]),
    '',
    `Needs new this week: ${d.needs.newThisWeek.total} (${signed(d.change.newNeeds)})${newNeeds ? ` — ${newNeeds}` : ''}`,
    `Open over ${d.needs.waitingWithoutReferral.olderThanDays} days with no referral: ${d.needs.waitingWithoutReferral.total}${waiting ? ` — ${waiting}` : ''}`,
    `Referrals waiting: ${d.referrals.waiting.total} (referred ${d.referrals.waiting.byStatus.referred}, connected ${d.referrals.waiting.byStatus.connected}, receiving ${d.referrals.waiting.byStatus.receiving}); made ${d.referrals.madeThisWeek}, resolved ${d.referrals.resolvedThisWeek}, declined ${d.referrals.declinedThisWeek} this week; families saying "not yet" ${d.referrals.familySaidNotYet}`,
    '',
    `Escalations: raised ${e.raised}, open ${e.open} (${signed(d.change.escalationsOpen)}), overdue ${e.overdue}, resolved ${e.resolved}, claimed ${e.claimed}, median time to claim ${e.medianMinutesToClaim === null ? '-' : `${Math.round(e.medianMinutesToClaim)} min`}`,
    `Completion, last ${d.trend.length} weeks: ${d.trend.map((t) => `${t.week} ${pct(t.rate)}`).join(', ')}`,
  ].join('\n');
}

/** The digest as CSV, one figure a line: section, subject (navigator, language, area, week...), figure, value. */
export function digestCsv(d: Digest): string {
  const rows: (string | number | null)[][] = [['section', 'subject', 'figure', 'value']];
  const add = (section: string, subject: string, figures: object) => {
    for (const [figure, value] of Object.entries(figures))
      if (typeof value !== 'object' || value === null) rows.push([section, subject, figure, value]);
  };
  add('digest', d.scope, { week: d.week, asOf: new Date(d.asOf).toISOString() });
  add('completion', d.week, d.completion);
  add('change', 'from_last_week', d.change);
  for (const n of d.navigators) add('navigator', n.navigatorId, n);
  add('families', 'all', d.families);
  if (d.unknownNumberTexts !== undefined) add('families', 'unknown_numbers', { texts: d.unknownNumberTexts });
  for (const [lng, c] of Object.entries(d.families.byLanguage)) add('families', lng, c);
  add('families_silent', 'all', { weeks: d.families.silent.weeks, total: d.families.silent.total });
  add('families_silent', 'by_reason', d.families.silent.byReason);
  for (const g of d.families.silent.guardians) add('families_silent', g.guardianId, { reason: g.reason });
  add('needs_new', 'all', { total: d.needs.newThisWeek.total });
  for (const [area, s] of Object.entries(d.needs.newThisWeek.byArea)) add('needs_new', area, s);
  add('needs_waiting', 'all', {
    olderThanDays: d.needs.waitingWithoutReferral.olderThanDays,
    total: d.needs.waitingWithoutReferral.total,
  });
  add('needs_waiting', 'by_area', d.needs.waitingWithoutReferral.byArea);
  add('referrals', 'all', d.referrals);
  add('referrals_waiting', 'by_status', {
    total: d.referrals.waiting.total,
    ...d.referrals.waiting.byStatus,
  });
  add('escalations', 'all', d.escalations);
  for (const t of d.trend) add('trend', t.week, t);
  return stringify(rows).trimEnd();
}

/** `digest`: the lead navigators' digest of a school or the district for one week, as text, csv or json. */
export async function printDigest(ctx: AppContext, args: DigestArgs): Promise<string> {
  if (Boolean(args.school) === Boolean(args.district))
    throw new CommandError('Give either --school <id> or --district.');
  const format = FORMATS.find((f) => f === (args.format ?? 'text'));
  if (!format) throw new CommandError(`Unknown --format ${args.format}; use one of ${FORMATS.join(', ')}.`);
  const waitingDays = args.waitingDays === undefined ? undefined : Number(args.waitingDays);
  if (waitingDays !== undefined && !(Number.isInteger(waitingDays) && waitingDays >= 0))
    throw new CommandError('--waiting-days must be a whole number of days.');
  const scope: DigestScope = args.school ? { schoolId: args.school } : { district: true };
  const week = args.week?.trim() ?? isoWeekOf(ctx.clock(), ctx.config.defaultTimezone);
  const result = await computeDigest(ctx, scope, week, {
    calendar: loadCalendar(args.calendar),
    ...(waitingDays === undefined ? {} : { waitingNeedDays: waitingDays }),
  });
  if (!result.ok)
    throw new CommandError(
      result.problem === 'digest:unknown_school'
        ? `No school with id ${args.school} (see 'roster export').`
        : `Invalid --week ${args.week}: use an ISO week such as 2026-W48.`,
    );
  const outputs: Record<Format, (d: Digest) => string> = {
    text: digestText,
    csv: digestCsv,
    json: (d) => JSON.stringify(d, null, 2),
  };
  return outputs[format](result.digest);
}

/** `digest district-needs`: the Children's Cabinet's de-identified table, to a file or standard output. */
export async function writeDistrictNeeds(ctx: AppContext, out?: string): Promise<string> {
  const csv = await districtNeedsCsv(ctx);
  if (!out) return csv.trimEnd();
  writeFileSync(out, csv);
  return `Wrote ${out} (cells under 10 and their complements shown as *).`;
}

/** `digest` and `digest district-needs`. */
export function registerDigestCommands(program: Command, makeContext: ContextFactory): void {
  const run = (fn: (ctx: AppContext) => Promise<string>) => runCommand(makeContext, fn);
  const group = program
    .command('digest')
    .description("lead navigators' weekly digest of a school or the district; see docs/digest.md")
    .option('--school <id>', 'one school')
    .option('--district', 'every school together')
    .option('--week <week>', 'ISO week such as 2026-W48 (default: this week)')
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'text')
    .option(
      '--waiting-days <days>',
      'open needs older than this with no referral are listed',
      String(WAITING_NEED_DAYS),
    )
    .option('--calendar <path>', 'school calendar file (breaks and holidays)', 'config/calendar.json')
    .action((o: DigestArgs) => run((ctx) => printDigest(ctx, o)));
  group
    .command('district-needs')
    .description("de-identified needs by school, grade band and area (CSV) for the Children's Cabinet")
    .option('--out <file>', 'write the CSV to this file instead of printing it')
    .action((o: { out?: string }) => run((ctx) => writeDistrictNeeds(ctx, o.out)));
}
