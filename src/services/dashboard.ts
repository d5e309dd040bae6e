import type { AppContext } from '../context.js';
import { addWeeks, IsoWeek, isoWeekOf, weekBounds } from '../jobs/period.js';
import type { MessagePayload } from '../messages.js';
import { AuditRepository } from '../store/repositories/audit.js';
import {
  type CaseloadRow,
  DashboardRepository,
  type NeedFilter,
  type NeedListRow,
  type ReferralListRow,
} from '../store/repositories/dashboard.js';
import { DigestRepository } from '../store/repositories/digest.js';
import { RosterRepository, type SchoolRow } from '../store/repositories/roster.js';
import { REFERRAL_STATUSES } from '../store/schema/index.js';
import { NEED_AREAS, NEED_SEVERITIES, NEED_STATUSES } from '../vocabulary.js';
import { type DashboardScope, scopeAllows, scopeForStaff } from './dashboard-links.js';
import { computeDigest } from './digest.js';
import { digestMessage } from './digest-delivery.js';
import { type Digest, TREND_WEEKS } from './digest-figures.js';

// What the lead navigators' dashboard shows, and the two rules it keeps: a viewer sees only their scope, and
// every look at a student's record leaves an audit entry naming who looked. The HTTP pages in src/bots/dashboard
// only render what these functions return.

/** Who is looking: the staff member a signed link was minted for, and what it opens. */
export interface Viewer {
  staffId: string;
  scope: DashboardScope;
}

export type DashboardProblem =
  | 'dashboard:wrong_scope'
  | 'dashboard:unknown_school'
  | 'dashboard:unknown_navigator'
  | 'dashboard:invalid_week'
  | 'dashboard:invalid_filter';

export type Result<T> = { ok: true; value: T } | { ok: false; problem: DashboardProblem };

/** Rows of a list are capped on screen; the CSV export has them all. */
export const LIST_LIMIT = 500;

/** The charts' data, beside the digest's own figures. */
export interface Overview {
  digest: Digest;
  /** Navigator id → display name (staff names are not student data). */
  navigatorNames: Record<string, string>;
  /** New needs by area for each of the trend weeks, oldest first. */
  needsByWeek: { weeks: string[]; byArea: Partial<Record<(typeof NEED_AREAS)[number], number[]>> };
  /** Families who replied out of those texted this week, by home language; rate null when none texted. */
  responseByLanguage: { locale: string; texted: number; replied: number; rate: number | null }[];
}

/** A student as a list shows them: a school's lead sees first name and last initial, the district the id only. */
export interface StudentLabel {
  studentId: string;
  label: string;
  grade: string;
}

export type CaseloadLine = StudentLabel & Pick<CaseloadRow, 'status' | 'openNeeds'>;
export type NeedLine = StudentLabel &
  Omit<NeedListRow, 'firstName' | 'lastName' | 'grade' | 'studentId'> & { navigatorName: string | null };
export type ReferralLine = StudentLabel &
  Omit<ReferralListRow, 'firstName' | 'lastName' | 'grade' | 'studentId'> & { navigatorName: string | null };

/** The week to show: the one asked for, or the current one in the district's zone. */
export function weekOrNow(ctx: AppContext, week: string | undefined): string | null {
  if (week === undefined || week === '') return isoWeekOf(ctx.clock(), ctx.config.defaultTimezone);
  return IsoWeek.safeParse(week).success ? week : null;
}

/** Minimum necessary: a school's own lead may tell students apart by first name and last initial. */
export function studentLabel(
  viewer: Viewer,
  s: { studentId: string; firstName: string; lastName: string; grade: string },
): StudentLabel {
  const label =
    'district' in viewer.scope
      ? s.studentId
      : `${s.firstName} ${s.lastName ? `${s.lastName[0]}.` : ''}`.trim();
  return { studentId: s.studentId, label, grade: s.grade };
}

async function schoolsInView(
  ctx: AppContext,
  viewer: Viewer,
  schoolId: string | undefined,
): Promise<Result<SchoolRow[]>> {
  if (!scopeAllows(viewer.scope, schoolId)) return { ok: false, problem: 'dashboard:wrong_scope' };
  const roster = new RosterRepository(ctx.db);
  if (schoolId === undefined) return { ok: true, value: await roster.schools() };
  const school = await roster.school(schoolId);
  return school ? { ok: true, value: [school] } : { ok: false, problem: 'dashboard:unknown_school' };
}

/** The overview of one school (or the district when `schoolId` is undefined) for a week. */
export async function dashboardOverview(
  ctx: AppContext,
  viewer: Viewer,
  schoolId: string | undefined,
  week: string,
): Promise<Result<Overview>> {
  const schools = await schoolsInView(ctx, viewer, schoolId);
  if (!schools.ok) return schools;
  const computed = await computeDigest(ctx, schoolId ? { schoolId } : { district: true }, week);
  if (!computed.ok)
    return {
      ok: false,
      problem:
        computed.problem === 'digest:invalid_week' ? 'dashboard:invalid_week' : 'dashboard:unknown_school',
    };
  const digest = computed.digest;
  const names = await new DashboardRepository(ctx.db).navigatorNames(schoolId);
  const weeks = Array.from({ length: TREND_WEEKS }, (_, i) => addWeeks(week, i - TREND_WEEKS + 1));
  const byArea: Overview['needsByWeek']['byArea'] = {};
  const facts = new DigestRepository(ctx.db);
  const seen = new Set<string>();
  for (const school of schools.value) {
    const bounds = weeks.map((w) => weekBounds(w, school.timezone));
    for (const need of await facts.needs(school.id)) {
      if (seen.has(need.id)) continue;
      seen.add(need.id);
      const i = bounds.findIndex((b) => need.createdAt >= b.start && need.createdAt < b.end);
      if (i < 0) continue;
      const counts = byArea[need.area] ?? weeks.map(() => 0);
      counts[i]! += 1;
      byArea[need.area] = counts;
    }
  }
  const responseByLanguage = Object.entries(digest.families.byLanguage).map(([locale, c]) => ({
    locale,
    texted: c.texted,
    replied: c.replied,
    rate: c.texted === 0 ? null : c.replied / c.texted,
  }));
  return {
    ok: true,
    value: {
      digest,
      navigatorNames: Object.fromEntries(names.map((n) => [n.id, n.name])),
      needsByWeek: { weeks, byArea },
      responseByLanguage,
    },
  };
}

/** Writes one audit entry per student shown, in one transaction: who looked, at which list, when. */
async function auditViews(
  ctx: AppContext,
  viewer: Viewer,
  view: string,
  studentIds: string[],
): Promise<void> {
  const unique = [...new Set(studentIds)];
  if (unique.length === 0) return;
  const at = ctx.clock();
  await ctx.db.transaction(async (tx) => {
    const audit = new AuditRepository(tx);
    for (const studentId of unique)
      await audit.append({
        actor: `staff:${viewer.staffId}`,
        at,
        entity: 'student',
        entityId: studentId,
        action: 'view',
        before: null,
        after: { via: 'dashboard', view },
      });
  });
}

/** One navigator's caseload with this week's check-ins: a view of each student's record, so each is audited. */
export async function navigatorCaseload(
  ctx: AppContext,
  viewer: Viewer,
  schoolId: string,
  navigatorId: string,
  week: string,
  view = 'caseload',
): Promise<Result<{ navigator: { id: string; name: string }; week: string; students: CaseloadLine[] }>> {
  const schools = await schoolsInView(ctx, viewer, schoolId);
  if (!schools.ok) return schools;
  const repo = new DashboardRepository(ctx.db);
  const navigator = await repo.navigator(navigatorId);
  if (!navigator || navigator.schoolId !== schoolId)
    return { ok: false, problem: 'dashboard:unknown_navigator' };
  const rows = await repo.caseload(schoolId, navigatorId, week);
  await auditViews(
    ctx,
    viewer,
    view,
    rows.map((r) => r.studentId),
  );
  return {
    ok: true,
    value: {
      navigator: { id: navigator.id, name: navigator.name },
      week,
      students: rows.map((r) => ({ ...studentLabel(viewer, r), status: r.status, openNeeds: r.openNeeds })),
    },
  };
}

/** Filters as they come from a page's query string: unknown values are refused, empty ones ignored. */
export interface ListQuery {
  area?: string | undefined;
  severity?: string | undefined;
  status?: string | undefined;
  navigatorId?: string | undefined;
}

function checkedFilter(q: ListQuery, statuses: readonly string[]): NeedFilter | null {
  const pick = (value: string | undefined, allowed: readonly string[]) =>
    value === undefined || value === '' ? undefined : allowed.includes(value) ? value : null;
  const area = pick(q.area, NEED_AREAS);
  const severity = pick(q.severity, NEED_SEVERITIES);
  const status = pick(q.status, statuses);
  if (area === null || severity === null || status === null) return null;
  return {
    ...(area ? { area } : {}),
    ...(severity ? { severity } : {}),
    ...(status ? { status } : {}),
    ...(q.navigatorId ? { navigatorId: q.navigatorId } : {}),
  };
}

/** Adds the viewer's label and the navigator's name to list rows, and audits every student shown. */
async function shownRows<
  R extends {
    studentId: string;
    firstName: string;
    lastName: string;
    grade: string;
    navigatorId: string | null;
  },
>(
  ctx: AppContext,
  viewer: Viewer,
  schoolId: string | undefined,
  rows: R[],
  options: { all?: boolean; view: string },
): Promise<{
  lines: (StudentLabel &
    Omit<R, 'firstName' | 'lastName' | 'grade' | 'studentId'> & { navigatorName: string | null })[];
  capped: boolean;
}> {
  const capped = !options.all && rows.length > LIST_LIMIT;
  const shown = capped ? rows.slice(0, LIST_LIMIT) : rows;
  const names = new Map(
    (await new DashboardRepository(ctx.db).navigatorNames(schoolId)).map((n) => [n.id, n.name]),
  );
  await auditViews(
    ctx,
    viewer,
    options.view,
    shown.map((r) => r.studentId),
  );
  return {
    capped,
    lines: shown.map(({ firstName, lastName, grade, studentId, ...row }) => ({
      ...studentLabel(viewer, { studentId, firstName, lastName, grade }),
      ...row,
      navigatorName: row.navigatorId ? (names.get(row.navigatorId) ?? row.navigatorId) : null,
    })),
  };
}

/**
 * Needs of a school or the district, filtered; each student shown is audited. `all` lifts the on-screen cap
 * (the CSV export).
 */
export async function needList(
  ctx: AppContext,
  viewer: Viewer,
  schoolId: string | undefined,
  query: ListQuery,
  options: { all?: boolean; view: string },
): Promise<Result<{ lines: NeedLine[]; capped: boolean }>> {
  const schools = await schoolsInView(ctx, viewer, schoolId);
  if (!schools.ok) return schools;
  const filter = checkedFilter(query, NEED_STATUSES);
  if (!filter) return { ok: false, problem: 'dashboard:invalid_filter' };
  const rows = await new DashboardRepository(ctx.db).needs({
    ...filter,
    ...(schoolId ? { schoolId } : {}),
    ...(options.all ? {} : { limit: LIST_LIMIT + 1 }),
  });
  return { ok: true, value: await shownRows(ctx, viewer, schoolId, rows, options) };
}

/** Referrals (to a service from the catalog) of a school or the district, filtered by the referral's status. */
export async function referralList(
  ctx: AppContext,
  viewer: Viewer,
  schoolId: string | undefined,
  query: ListQuery,
  options: { all?: boolean; view: string },
): Promise<Result<{ lines: ReferralLine[]; capped: boolean }>> {
  const schools = await schoolsInView(ctx, viewer, schoolId);
  if (!schools.ok) return schools;
  const filter = checkedFilter(query, REFERRAL_STATUSES);
  if (!filter) return { ok: false, problem: 'dashboard:invalid_filter' };
  const rows = await new DashboardRepository(ctx.db).referrals({
    ...filter,
    ...(schoolId ? { schoolId } : {}),
    ...(options.all ? {} : { limit: LIST_LIMIT + 1 }),
  });
  return { ok: true, value: await shownRows(ctx, viewer, schoolId, rows, options) };
}

/** Where a page is: its name, the schools a district viewer can switch to, and the navigators to filter by. */
export async function dashboardPlace(
  ctx: AppContext,
  viewer: Viewer,
  schoolId: string | undefined,
): Promise<
  Result<{
    name: string | null;
    schools: { id: string; name: string }[];
    navigators: { id: string; name: string }[];
  }>
> {
  const schools = await schoolsInView(ctx, viewer, schoolId);
  if (!schools.ok) return schools;
  const all = 'district' in viewer.scope ? await new RosterRepository(ctx.db).schools() : [];
  const navigators = await new DashboardRepository(ctx.db).navigatorNames(schoolId);
  return {
    ok: true,
    value: {
      name: schoolId ? (schools.value[0]?.name ?? schoolId) : null,
      schools: all.map((s) => ({ id: s.id, name: s.name })),
      navigators: navigators.map((n) => ({ id: n.id, name: n.name })),
    },
  };
}

/**
 * The digest a lead navigator (or admin) would get for the current week so far, as the chat message says it:
 * counts only. Example: `await currentDigestFor(ctx, 'lead-1')` → `{ week: '2026-W48', payload }`.
 */
export async function currentDigestFor(
  ctx: AppContext,
  staffId: string,
): Promise<
  { ok: true; week: string; locale: string; payload: MessagePayload } | { ok: false; problem: string }
> {
  const allowed = await scopeForStaff(ctx, staffId);
  if (!allowed.ok) return allowed;
  const week = isoWeekOf(ctx.clock(), ctx.config.defaultTimezone);
  const computed = await computeDigest(
    ctx,
    'district' in allowed.scope ? { district: true } : allowed.scope,
    week,
  );
  if (!computed.ok) return computed;
  return { ok: true, week, locale: allowed.locale, payload: digestMessage(computed.digest) };
}
