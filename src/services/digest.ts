import type { AppContext } from '../context.js';
import { EMPTY_CALENDAR, isSchoolBreak } from '../jobs/calendar.js';
import { addWeeks, IsoWeek, localTimeInWeek, weekBounds } from '../jobs/period.js';
import {
  DigestRepository,
  type EscalationFact,
  type FamilyFact,
  type NavigatorCheckinFact,
  type NeedFact,
} from '../store/repositories/digest.js';
import { RosterRepository, type SchoolRow } from '../store/repositories/roster.js';
import type { NeedArea } from '../vocabulary.js';
import {
  type Completion,
  type Digest,
  type DigestOptions,
  type DigestProblem,
  type DigestScope,
  type FamilyCounts,
  type NavigatorWeek,
  type NeedsByArea,
  SILENCE_REASONS,
  SILENT_WEEKS,
  type SilenceReason,
  TREND_WEEKS,
  WAITING_NEED_DAYS,
} from './digest-figures.js';

const DAY_MS = 24 * 60 * 60_000;

/** A family's week, as counted. */
interface FamilyWeek {
  fact: FamilyFact;
  texted: boolean;
  delivered: boolean;
  replied: boolean;
  optedOutThisWeek: boolean;
  silent: SilenceReason | null;
}

/** An escalation's standing at the time of the digest. */
interface EscalationWeek {
  id: string;
  raised: boolean;
  open: boolean;
  overdue: boolean;
  resolved: boolean;
  minutesToClaim: number | null;
}

/** What one school's week is made of, before schools are added up (families and escalations by id). */
interface SchoolWeek {
  school: SchoolRow;
  asOf: number;
  isBreak: boolean;
  navigators: NavigatorWeek[];
  families: FamilyWeek[];
  newNeeds: NeedFact[];
  waitingNeeds: NeedFact[];
  escalations: EscalationWeek[];
  trend: Completion[];
}

/**
 * Computes the digest of one school or the district for one ISO week (each school's week in its own zone).
 * Example: `await computeDigest(ctx, { schoolId: 'sch-riverside' }, '2026-W48')`.
 */
export async function computeDigest(
  ctx: AppContext,
  scope: DigestScope,
  week: string,
  options: DigestOptions = {},
): Promise<{ ok: true; digest: Digest } | { ok: false; problem: DigestProblem }> {
  if (!IsoWeek.safeParse(week).success) return { ok: false, problem: 'digest:invalid_week' };
  const roster = new RosterRepository(ctx.db);
  const schools =
    'schoolId' in scope
      ? [await roster.school(scope.schoolId)].filter((s): s is SchoolRow => s !== undefined)
      : await roster.schools();
  if ('schoolId' in scope && schools.length === 0) return { ok: false, problem: 'digest:unknown_school' };
  const weeks: SchoolWeek[] = [];
  const lastWeeks: SchoolWeek[] = [];
  for (const school of schools) {
    weeks.push(await schoolWeek(ctx, school, week, options));
    lastWeeks.push(await schoolWeek(ctx, school, addWeeks(week, -1), options));
  }
  const waitingDays = options.waitingNeedDays ?? WAITING_NEED_DAYS;
  const now = summarise(week, weeks, waitingDays);
  const before = summarise(addWeeks(week, -1), lastWeeks, waitingDays);
  const rate = (c: Completion) => (c.rate === null ? null : Math.round(c.rate * 100));
  const thisRate = rate(now.completion);
  const lastRate = rate(before.completion);
  return {
    ok: true,
    digest: {
      scope: 'schoolId' in scope ? 'school' : 'district',
      schools: schools.map((s) => ({ id: s.id, name: s.name })),
      week,
      asOf: Math.max(0, ...weeks.map((w) => w.asOf)),
      breakSchools: weeks.filter((w) => w.isBreak).map((w) => w.school.id),
      ...('district' in scope ? { unknownNumberTexts: await unknownNumberTexts(ctx, week) } : {}),
      ...now,
      change: {
        completionRate: thisRate === null || lastRate === null ? null : thisRate - lastRate,
        completed: now.completion.completed - before.completion.completed,
        missed: missed(now.navigators) - missed(before.navigators),
        familiesReplied: now.families.replied - before.families.replied,
        newNeeds: now.needs.newThisWeek.total - before.needs.newThisWeek.total,
        escalationsOpen: now.escalations.open - before.escalations.open,
      },
      trend: addTrends(weeks.map((w) => w.trend)),
    },
  };
}

function unknownNumberTexts(ctx: AppContext, week: string): Promise<number> {
  const { start, end } = weekBounds(week, ctx.config.defaultTimezone);
  return new DigestRepository(ctx.db).unknownNumberTexts(start, end);
}

async function schoolWeek(
  ctx: AppContext,
  school: SchoolRow,
  week: string,
  options: DigestOptions,
): Promise<SchoolWeek> {
  const repo = new DigestRepository(ctx.db);
  const zone = school.timezone;
  const { start, end } = weekBounds(week, zone);
  const asOf = Math.min(ctx.clock(), end);
  const isBreak = isSchoolBreak(options.calendar ?? EMPTY_CALENDAR, school.id, week);
  const trendWeeks = Array.from({ length: TREND_WEEKS }, (_, i) => addWeeks(week, i - TREND_WEEKS + 1));
  const checkins = await repo.navigatorCheckins(school.id, trendWeeks);
  const thisWeek = checkins.filter((c) => c.period === week);
  const caseload = await repo.caseload(school.id);
  // The mid-week reminder goes out two days after the prompt: from then on, open check-ins are late.
  const reminderDay = Math.min(5, school.navigatorPromptDay + 2);
  const reminderAt = localTimeInWeek(week, zone, reminderDay, school.navigatorPromptTime);
  const navigators = (await repo.navigators(school.id))
    .map((n) => navigatorWeek(school.id, n.id, thisWeek, caseload, { isBreak, late: asOf >= reminderAt }))
    .filter((n) => n.caseload > 0 || n.met + n.notReached + n.skipped + n.missed + n.open > 0);

  const silentFrom = weekBounds(addWeeks(week, 1 - SILENT_WEEKS), zone).start;
  const texts = groupBy(await repo.familyTexts(school.id, silentFrom, end), (t) => t.guardianId);
  const repliedInWeek = new Set((await repo.familyReplies(school.id, start, end)).map((r) => r.guardianId));
  const repliedLately = new Set(
    (await repo.familyReplies(school.id, silentFrom, end)).map((r) => r.guardianId),
  );
  const optedOut = new Set(await repo.optOuts(school.id, start, end));
  const families = (await repo.families(school.id)).map((fact): FamilyWeek => {
    const mine = texts.get(fact.guardianId) ?? [];
    const inWeek = mine.filter((t) => t.sentAt >= start);
    return {
      fact,
      texted: inWeek.length > 0,
      delivered: inWeek.some((t) => t.status === 'delivered'),
      replied: repliedInWeek.has(fact.guardianId),
      optedOutThisWeek: optedOut.has(fact.guardianId),
      // A family added to the roster during the window has not had three weeks to answer.
      silent:
        repliedLately.has(fact.guardianId) || fact.createdAt >= silentFrom ? null : silenceReason(fact, mine),
    };
  });

  const needs = await repo.needs(school.id);
  const waitingDays = options.waitingNeedDays ?? WAITING_NEED_DAYS;
  return {
    school,
    asOf,
    isBreak,
    navigators,
    families,
    newNeeds: needs.filter((n) => n.createdAt >= start && n.createdAt < end),
    waitingNeeds: needs.filter(
      (n) => n.status === 'identified' && !n.hasReferral && n.createdAt <= asOf - waitingDays * DAY_MS,
    ),
    escalations: (await repo.escalations(school.id))
      .filter((e) => e.createdAt < end)
      .map((e) => escalationWeek(e, start, end, asOf)),
    trend: trendWeeks.map((w) =>
      completionOf(
        w,
        checkins.filter((c) => c.period === w),
      ),
    ),
  };
}

const NOT_REACHED: ReadonlySet<unknown> = new Set(['unreachable', 'absent']);

function navigatorWeek(
  schoolId: string,
  navigatorId: string,
  checkins: NavigatorCheckinFact[],
  caseload: { studentId: string; navigatorId: string }[],
  week: { isBreak: boolean; late: boolean },
): NavigatorWeek {
  const mine = checkins.filter((c) => c.navigatorId === navigatorId);
  const students = new Set(caseload.filter((a) => a.navigatorId === navigatorId).map((a) => a.studentId));
  const checked = new Set(mine.map((c) => c.studentId));
  const count = (status: string) => mine.filter((c) => c.status === status).length;
  const completed = mine.filter((c) => c.status === 'completed');
  const notStarted = [...students].filter((s) => !checked.has(s)).length;
  const open = count('pending') + count('in_progress');
  const missed = count('missed');
  return {
    schoolId,
    navigatorId,
    caseload: students.size,
    met: completed.filter((c) => !NOT_REACHED.has(c.connect)).length,
    notReached: completed.filter((c) => NOT_REACHED.has(c.connect)).length,
    skipped: count('skipped'),
    missed,
    open,
    notStarted: week.isBreak ? 0 : notStarted,
    schoolBreak: week.isBreak ? notStarted : 0,
    leftCaseload: mine.filter((c) => c.studentId === null || !students.has(c.studentId)).length,
    late: !week.isBreak && (missed > 0 || (week.late && open + notStarted > 0)),
  };
}

function completionOf(week: string, checkins: NavigatorCheckinFact[]): Completion {
  const expected = checkins.filter((c) => c.status !== 'skipped').length;
  const completed = checkins.filter((c) => c.status === 'completed').length;
  return { week, expected, completed, rate: expected === 0 ? null : completed / expected };
}

function silenceReason(fact: FamilyFact, texts: { status: string }[]): SilenceReason {
  if (!fact.hasPhone) return 'no_phone';
  if (fact.smsStatus === 'invalid') return 'invalid_number';
  if (optedOut(fact)) return 'opted_out';
  if (fact.smsStatus === 'unreachable') return 'unreachable';
  if (fact.consent !== 'granted') return 'no_consent';
  if (texts.some((t) => t.status === 'delivered')) return 'delivered_no_reply';
  return texts.length > 0 ? 'not_delivered' : 'not_texted';
}

function escalationWeek(e: EscalationFact, start: number, end: number, asOf: number): EscalationWeek {
  // Rows older than the audit entries (or changed outside updateEscalation) fall back to their last change.
  const resolvedAt = e.resolvedAt ?? (e.status === 'resolved' ? e.updatedAt : null);
  const pickedUpAt = e.claimedAt ?? resolvedAt ?? (e.status !== 'open' ? e.updatedAt : null);
  const open = e.createdAt < asOf && !(resolvedAt !== null && resolvedAt <= asOf);
  const pickedUp = pickedUpAt !== null && pickedUpAt <= asOf;
  return {
    id: e.id,
    raised: e.createdAt >= start && e.createdAt < end,
    open,
    overdue: open && !pickedUp && e.dueAt !== null && e.dueAt < asOf,
    resolved: resolvedAt !== null && resolvedAt >= start && resolvedAt < end,
    minutesToClaim:
      pickedUpAt !== null && pickedUpAt >= start && pickedUpAt < end
        ? (pickedUpAt - e.createdAt) / 60_000
        : null,
  };
}

/** Adds schools up; a family or an escalation shared by two schools counts once. */
function summarise(
  week: string,
  weeks: SchoolWeek[],
  waitingDays: number,
): Omit<Digest, 'scope' | 'schools' | 'week' | 'asOf' | 'breakSchools' | 'change' | 'trend'> {
  const navigators = weeks.flatMap((w) => w.navigators);
  const families = uniqueBy(
    weeks.flatMap((w) => w.families),
    (f) => f.fact.guardianId,
  );
  const escalations = uniqueBy(
    weeks.flatMap((w) => w.escalations),
    (e) => e.id,
  );
  const newNeeds = uniqueBy(
    weeks.flatMap((w) => w.newNeeds),
    (n) => n.id,
  );
  const waiting = uniqueBy(
    weeks.flatMap((w) => w.waitingNeeds),
    (n) => n.id,
  );
  const byLanguage: Record<string, FamilyCounts> = {};
  for (const locale of [...new Set(families.map((f) => f.fact.locale))].sort())
    byLanguage[locale] = familyCounts(families.filter((f) => f.fact.locale === locale));
  const silent = families.filter((f) => f.silent !== null);
  const byReason = Object.fromEntries(
    SILENCE_REASONS.map((r) => [r, silent.filter((f) => f.silent === r).length]),
  ) as Record<SilenceReason, number>;
  const byArea: NeedsByArea = {};
  for (const n of newNeeds) {
    const cell = byArea[n.area] ?? { low: 0, medium: 0, high: 0 };
    cell[n.severity] += 1;
    byArea[n.area] = cell;
  }
  const waitingByArea: Partial<Record<NeedArea, number>> = {};
  for (const n of waiting) waitingByArea[n.area] = (waitingByArea[n.area] ?? 0) + 1;
  const claimMinutes = escalations.flatMap((e) => (e.minutesToClaim === null ? [] : [e.minutesToClaim]));
  return {
    navigators,
    completion: addCompletions(
      week,
      weeks.map((w) => w.trend[w.trend.length - 1]!),
    ),
    families: {
      ...familyCounts(families),
      byLanguage,
      silent: {
        weeks: SILENT_WEEKS,
        total: silent.length,
        byReason,
        guardians: silent.map((f) => ({ guardianId: f.fact.guardianId, reason: f.silent! })),
      },
    },
    needs: {
      newThisWeek: { total: newNeeds.length, byArea },
      waitingWithoutReferral: {
        olderThanDays: waitingDays,
        total: waiting.length,
        byArea: waitingByArea,
      },
    },
    escalations: {
      raised: escalations.filter((e) => e.raised).length,
      open: escalations.filter((e) => e.open).length,
      overdue: escalations.filter((e) => e.overdue).length,
      resolved: escalations.filter((e) => e.resolved).length,
      claimed: claimMinutes.length,
      medianMinutesToClaim: median(claimMinutes),
    },
  };
}

/** The consent rule's reading of an opt-out (`textBlock`): the guardian's status, consent, or the phone's STOP. */
function optedOut(fact: FamilyFact): boolean {
  return fact.phoneOptedOut || fact.smsStatus === 'opted_out' || fact.consent === 'revoked';
}

function familyCounts(families: FamilyWeek[]): FamilyCounts {
  const n = (p: (f: FamilyWeek) => boolean) => families.filter(p).length;
  return {
    families: families.length,
    texted: n((f) => f.texted),
    delivered: n((f) => f.delivered),
    replied: n((f) => f.replied),
    optedOut: n((f) => optedOut(f.fact)),
    optedOutThisWeek: n((f) => f.optedOutThisWeek),
    unreachable: n(
      (f) => !f.fact.hasPhone || f.fact.smsStatus === 'invalid' || f.fact.smsStatus === 'unreachable',
    ),
  };
}

function addCompletions(week: string, parts: Completion[]): Completion {
  const expected = parts.reduce((n, c) => n + c.expected, 0);
  const completed = parts.reduce((n, c) => n + c.completed, 0);
  return { week, expected, completed, rate: expected === 0 ? null : completed / expected };
}

function addTrends(trends: Completion[][]): Completion[] {
  const first = trends[0] ?? [];
  return first.map((c, i) =>
    addCompletions(
      c.week,
      trends.map((t) => t[i]!),
    ),
  );
}

function missed(navigators: NavigatorWeek[]): number {
  return navigators.reduce((n, w) => n + w.missed, 0);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
