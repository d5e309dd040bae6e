import type { AppContext } from '../context.js';
import { EMPTY_CALENDAR, isSchoolBreak } from '../jobs/calendar.js';
import { addWeeks, weekBounds as boundsOfWeek, IsoWeek, localTimeInWeek } from '../jobs/period.js';
import {
  type CaseloadFact,
  DigestRepository,
  type EscalationFact,
  type NavigatorCheckinCounts,
  type NeedFact,
  type ReferralFact,
  type Schools,
} from '../store/repositories/digest.js';
import {
  DigestFamilyRepository,
  type FamilyFact,
  type FamilyTextFact,
} from '../store/repositories/digest-families.js';
import { RosterRepository, type SchoolRow } from '../store/repositories/roster.js';
import {
  type Completion,
  type Digest,
  type DigestOptions,
  type DigestProblem,
  type DigestScope,
  type NavigatorWeek,
  SILENT_WEEKS,
  type SilenceReason,
  TREND_WEEKS,
  WAITING_NEED_DAYS,
} from './digest-figures.js';
import {
  addCompletions,
  addTrends,
  type EscalationWeek,
  entry,
  type FamilyWeek,
  missed,
  optedOut,
  type SchoolWeek,
  summarise,
} from './digest-totals.js';

const DAY_MS = 24 * 60 * 60_000;
const NONE: never[] = [];

// A district's schools mostly share one zone and prompt time: the calendar arithmetic is done once for them
// all, not once per school and week.
const bounds = new Map<string, { start: number; end: number }>();
const reminders = new Map<string, number>();

function weekBounds(week: string, zone: string): { start: number; end: number } {
  return cached(bounds, `${week} ${zone}`, () => boundsOfWeek(week, zone));
}

/** The mid-week reminder goes out two days after the prompt: from then on, open check-ins are late. */
function reminderOf(week: string, school: SchoolRow): number {
  const day = Math.min(5, school.navigatorPromptDay + 2);
  return cached(reminders, `${week} ${school.timezone} ${day} ${school.navigatorPromptTime}`, () =>
    localTimeInWeek(week, school.timezone, day, school.navigatorPromptTime),
  );
}

function cached<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  let found = cache.get(key);
  if (found === undefined) {
    if (cache.size >= 1_000) cache.clear();
    found = compute();
    cache.set(key, found);
  }
  return found;
}

/**
 * Everything the digest counts, read for all its schools at once: per school where a fact belongs to one,
 * per guardian where it belongs to a family (a family's texts are the same whichever school asks).
 */
interface Facts {
  /** School → its active navigators, by id. */
  navigators: Map<string, string[]>;
  /** School → navigator → caseload now, and the students of it checked in with this week and last. */
  caseloads: Map<string, Map<string, CaseloadFact>>;
  /** School → week → the navigators' counted check-ins. */
  checkins: Map<string, Map<string, NavigatorCheckinCounts[]>>;
  families: Map<string, FamilyRecord[]>;
  /** Guardians who are families of more than one school. */
  sharedGuardians: Set<string>;
  needs: Map<string, NeedFact[]>;
  referrals: Map<string, ReferralFact[]>;
  escalations: Map<string, EscalationFact[]>;
}

/** A family with its texts, replies and opt-outs of the weeks read. */
interface FamilyRecord {
  fact: FamilyFact;
  texts: FamilyTextFact[];
  /** When they wrote back. */
  replies: number[];
  /** When their consent was revoked. */
  optOuts: number[];
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
  const lastWeek = addWeeks(week, -1);
  const trendWeeks = Array.from({ length: TREND_WEEKS }, (_, i) => addWeeks(week, i - TREND_WEEKS + 1));
  const facts = await readFacts(
    ctx,
    schools,
    'district' in scope ? 'all' : schools.map((s) => s.id),
    week,
    trendWeeks,
  );
  const weeks = schools.map((school) => schoolWeek(ctx, facts, school, week, trendWeeks, options));
  const waitingDays = options.waitingNeedDays ?? WAITING_NEED_DAYS;
  const now = summarise(week, weeks, facts.sharedGuardians, waitingDays);
  const before = weekBefore(ctx, facts, schools, lastWeek);
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
        missed: missed(now.navigators) - before.missed,
        familiesReplied: now.families.replied - before.familiesReplied,
        newNeeds: now.needs.newThisWeek.total - before.newNeeds,
        escalationsOpen: now.escalations.open - before.escalationsOpen,
      },
      trend: addTrends(weeks.map((w) => w.trend)),
    },
  };
}

function unknownNumberTexts(ctx: AppContext, week: string): Promise<number> {
  const { start, end } = weekBounds(week, ctx.config.defaultTimezone);
  return new DigestFamilyRepository(ctx.db).unknownNumberTexts(start, end);
}

/**
 * Reads the facts of this week and last week for every school in one query per kind of fact. Time windows
 * span every school's zone; `schoolWeek` cuts out each school's own.
 */
async function readFacts(
  ctx: AppContext,
  schools: SchoolRow[],
  ids: Schools,
  week: string,
  trendWeeks: string[],
): Promise<Facts> {
  const facts: Facts = {
    navigators: new Map(),
    caseloads: new Map(),
    checkins: new Map(),
    families: new Map(),
    sharedGuardians: new Set(),
    needs: new Map(),
    referrals: new Map(),
    escalations: new Map(),
  };
  if (schools.length === 0) return facts;
  const repo = new DigestRepository(ctx.db);
  const lastWeek = addWeeks(week, -1);
  const earliest = (w: string) => Math.min(...schools.map((s) => weekBounds(w, s.timezone).start));
  // Last week's silence window starts SILENT_WEEKS before this week.
  const silentFrom = earliest(addWeeks(week, -SILENT_WEEKS));
  const lastStart = earliest(lastWeek);
  const end = Math.max(...schools.map((s) => weekBounds(week, s.timezone).end));

  const schoolOf = new Map<string, string>();
  for (const m of await repo.staff(ids)) {
    schoolOf.set(m.id, m.schoolId);
    if (m.navigates) append(facts.navigators, m.schoolId, m.id);
  }
  for (const c of await repo.navigatorCheckinCounts(ids, trendWeeks))
    entry(
      entry(facts.checkins, schoolOf.get(c.navigatorId)!, () => new Map()),
      c.period,
      () => [],
    ).push(c);
  for (const c of await repo.caseloads(ids, week))
    entry(facts.caseloads, c.schoolId, () => new Map()).set(c.navigatorId, c);
  const reach = new DigestFamilyRepository(ctx.db);
  const texts = new Map<string, FamilyTextFact[]>();
  for (const t of await reach.familyTexts(ids, silentFrom, end)) append(texts, t.guardianId, t);
  const replies = new Map<string, number[]>();
  for (const r of await reach.familyReplies(ids, silentFrom, end)) append(replies, r.guardianId, r.at);
  const optOuts = new Map<string, number[]>();
  for (const o of await reach.optOuts(ids, lastStart, end)) append(optOuts, o.guardianId, o.at);
  // A guardian of two students of a school is one family of it; of students of two schools, one of each.
  // Most guardians have one school: only the shared ones get a list of the others.
  const firstSchool = new Map<string, string>();
  const otherSchools = new Map<string, string[]>();
  for (const fact of await reach.families(ids)) {
    const first = firstSchool.get(fact.guardianId);
    if (first === undefined) firstSchool.set(fact.guardianId, fact.schoolId);
    else {
      if (first === fact.schoolId) continue;
      const others = otherSchools.get(fact.guardianId);
      if (others?.includes(fact.schoolId)) continue;
      if (others) others.push(fact.schoolId);
      else otherSchools.set(fact.guardianId, [fact.schoolId]);
      facts.sharedGuardians.add(fact.guardianId);
    }
    append(facts.families, fact.schoolId, {
      fact,
      texts: texts.get(fact.guardianId) ?? NONE,
      replies: replies.get(fact.guardianId) ?? NONE,
      optOuts: optOuts.get(fact.guardianId) ?? NONE,
    });
  }
  for (const families of facts.families.values())
    families.sort((a, b) =>
      a.fact.guardianId < b.fact.guardianId ? -1 : a.fact.guardianId > b.fact.guardianId ? 1 : 0,
    );
  // Closed needs count only as new ones, in this week or last.
  for (const n of await repo.schoolNeeds(ids, lastStart)) append(facts.needs, n.schoolId, n);
  for (const r of await repo.referrals(ids)) append(facts.referrals, r.schoolId, r);
  for (const e of await repo.escalations(ids)) append(facts.escalations, e.schoolId, e);
  return facts;
}

/** Whether one of the moments is in [start, end); called once a family, so no callback is made for it. */
function anyIn(moments: number[], start: number, end: number): boolean {
  for (const at of moments) if (at >= start && at < end) return true;
  return false;
}

/** Adds `value` to the list of `key`: the large reads add one list item a row, without a maker to allocate. */
function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The entry of `key`, made by `make` when missing. */

function schoolWeek(
  ctx: AppContext,
  facts: Facts,
  school: SchoolRow,
  week: string,
  trendWeeks: string[],
  options: DigestOptions,
): SchoolWeek {
  const zone = school.timezone;
  const { start, end } = weekBounds(week, zone);
  const asOf = Math.min(ctx.clock(), end);
  const isBreak = isSchoolBreak(options.calendar ?? EMPTY_CALENDAR, school.id, week);
  const checkins = facts.checkins.get(school.id) ?? new Map<string, NavigatorCheckinCounts[]>();
  const thisWeek = new Map((checkins.get(week) ?? NONE).map((c) => [c.navigatorId, c]));
  const caseloads = facts.caseloads.get(school.id);
  const reminderAt = reminderOf(week, school);
  const navigators = (facts.navigators.get(school.id) ?? NONE)
    .map((id) =>
      navigatorWeek(school.id, id, thisWeek.get(id), caseloads?.get(id), {
        isBreak,
        late: asOf >= reminderAt,
      }),
    )
    .filter((n) => n.caseload > 0 || n.met + n.notReached + n.skipped + n.missed + n.open > 0);

  const silentFrom = weekBounds(addWeeks(week, 1 - SILENT_WEEKS), zone).start;
  const families: FamilyWeek[] = [];
  for (const { fact, texts, replies, optOuts } of facts.families.get(school.id) ?? NONE) {
    let texted = false;
    let delivered = false;
    let textedLately = false;
    let deliveredLately = false;
    for (const t of texts) {
      if (t.sentAt < silentFrom || t.sentAt >= end) continue;
      const ok = t.status === 'delivered';
      textedLately = true;
      deliveredLately ||= ok;
      if (t.sentAt >= start) {
        texted = true;
        delivered ||= ok;
      }
    }
    let replied = false;
    let repliedLately = false;
    for (const at of replies) {
      if (at < silentFrom || at >= end) continue;
      repliedLately = true;
      replied ||= at >= start;
    }
    families.push({
      fact,
      texted,
      delivered,
      replied,
      optedOutThisWeek: anyIn(optOuts, start, end),
      // A family added to the roster during the window has not had three weeks to answer.
      silent:
        repliedLately || fact.createdAt >= silentFrom
          ? null
          : silenceReason(fact, textedLately, deliveredLately),
    });
  }

  const needs = facts.needs.get(school.id) ?? NONE;
  const waitingDays = options.waitingNeedDays ?? WAITING_NEED_DAYS;
  return {
    school,
    asOf,
    isBreak,
    navigators,
    families,
    newNeeds: needs.filter((n) => n.createdAt >= start && n.createdAt < end),
    // Open and not referred by then: no referral (but a declined one) made by the digest's moment; a need
    // moved on without a referral row (recorded before referrals existed) counts as referred.
    waitingNeeds: needs.filter(
      (n) =>
        n.status !== 'resolved' &&
        n.status !== 'declined' &&
        (n.referredAt === null ? n.status === 'identified' : n.referredAt > asOf) &&
        n.createdAt <= asOf - waitingDays * DAY_MS,
    ),
    referrals: (facts.referrals.get(school.id) ?? NONE)
      .filter((r) => r.createdAt < asOf)
      .map((r) => ({
        id: r.id,
        status: r.status,
        made: r.createdAt >= start,
        closedInWeek:
          (r.status === 'resolved' || r.status === 'declined') && r.updatedAt >= start && r.updatedAt < end,
        familySaidNotYet: r.status === 'connected' && r.followUpAnswer === 'not_yet',
      })),
    escalations: (facts.escalations.get(school.id) ?? NONE)
      .filter((e) => e.createdAt < end)
      .map((e) => escalationWeek(e, start, end, asOf)),
    trend: trendWeeks.map((w) => completionOf(w, checkins.get(w) ?? NONE)),
  };
}

function navigatorWeek(
  schoolId: string,
  navigatorId: string,
  counts: NavigatorCheckinCounts | undefined,
  caseload: CaseloadFact | undefined,
  when: { isBreak: boolean; late: boolean },
): NavigatorWeek {
  const students = caseload?.students ?? 0;
  const checked = caseload?.checked ?? 0;
  const total = counts?.total ?? 0;
  const notReached = counts?.notReached ?? 0;
  const notStarted = students - checked;
  const open = counts?.open ?? 0;
  const missed = counts?.missed ?? 0;
  return {
    schoolId,
    navigatorId,
    caseload: students,
    met: (counts?.completed ?? 0) - notReached,
    notReached,
    skipped: counts?.skipped ?? 0,
    missed,
    open,
    notStarted: when.isBreak ? 0 : notStarted,
    schoolBreak: when.isBreak ? notStarted : 0,
    // One check-in per navigator, student and week (the period and subject key): the caseload students'
    // check-ins are the students checked, the rest are of students who left the caseload.
    leftCaseload: total - checked,
    late: !when.isBreak && (missed > 0 || (when.late && open + notStarted > 0)),
  };
}

/** Completion of one week from the navigators' counts: skipped check-ins are not expected. */
function completionOf(week: string, counts: NavigatorCheckinCounts[]): Completion {
  let expected = 0;
  let done = 0;
  let attempted = 0;
  for (const c of counts) {
    expected += c.total - c.skipped;
    done += c.completed;
    attempted += c.notReached;
  }
  const completed = done - attempted;
  return { week, expected, completed, attempted, rate: expected === 0 ? null : completed / expected };
}

/** Why a family is silent, from its record and whether texts went out and arrived in the silence window. */
function silenceReason(fact: FamilyFact, texted: boolean, delivered: boolean): SilenceReason {
  if (!fact.hasPhone) return 'no_phone';
  if (fact.smsStatus === 'invalid') return 'invalid_number';
  if (optedOut(fact)) return 'opted_out';
  if (fact.smsStatus === 'unreachable') return 'unreachable';
  if (fact.consent !== 'granted') return 'no_consent';
  if (delivered) return 'delivered_no_reply';
  return texted ? 'not_delivered' : 'not_texted';
}

function escalationWeek(e: EscalationFact, start: number, end: number, asOf: number): EscalationWeek {
  // Rows older than the audit entries (or changed outside the escalation actions) fall back to their last change.
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

/**
 * Last week's figures that the change from last week is made of, counted as the digest of last week would count
 * them (a family or an escalation shared by two schools once, read by the first school).
 */
function weekBefore(
  ctx: AppContext,
  facts: Facts,
  schools: SchoolRow[],
  week: string,
): {
  completion: Completion;
  missed: number;
  familiesReplied: number;
  newNeeds: number;
  escalationsOpen: number;
} {
  const completions: Completion[] = [];
  const families = new Set<string>();
  const escalations = new Set<string>();
  let missed = 0;
  let familiesReplied = 0;
  let newNeeds = 0;
  let escalationsOpen = 0;
  for (const school of schools) {
    const { start, end } = weekBounds(week, school.timezone);
    const asOf = Math.min(ctx.clock(), end);
    const counts = facts.checkins.get(school.id)?.get(week) ?? NONE;
    completions.push(completionOf(week, counts));
    // Every missed check-in puts its navigator on the digest's list, if they are an active navigator.
    const byNavigator = new Map(counts.map((c) => [c.navigatorId, c]));
    for (const id of facts.navigators.get(school.id) ?? NONE) missed += byNavigator.get(id)?.missed ?? 0;
    for (const { fact, replies } of facts.families.get(school.id) ?? NONE) {
      if (facts.sharedGuardians.has(fact.guardianId)) {
        if (families.has(fact.guardianId)) continue;
        families.add(fact.guardianId);
      }
      if (anyIn(replies, start, end)) familiesReplied += 1;
    }
    for (const n of facts.needs.get(school.id) ?? NONE)
      if (n.createdAt >= start && n.createdAt < end) newNeeds += 1;
    for (const e of facts.escalations.get(school.id) ?? NONE) {
      if (e.createdAt >= end || escalations.has(e.id)) continue;
      escalations.add(e.id);
      if (escalationWeek(e, start, end, asOf).open) escalationsOpen += 1;
    }
  }
  return {
    completion: addCompletions(week, completions),
    missed,
    familiesReplied,
    newNeeds,
    escalationsOpen,
  };
}
