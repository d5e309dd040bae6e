import type { NeedFact, ReferralFact } from '../store/repositories/digest.js';
import type { FamilyFact } from '../store/repositories/digest-families.js';
import type { SchoolRow } from '../store/repositories/roster.js';
import { NEED_AREAS, type NeedArea } from '../vocabulary.js';
import {
  type Completion,
  type Digest,
  type FamilyCounts,
  type NavigatorWeek,
  type NeedsByArea,
  type ReferralCounts,
  SILENCE_REASONS,
  SILENT_WEEKS,
  type SilenceReason,
} from './digest-figures.js';

// One school's week as the digest counts it, and the schools added up into the digest's figures: a family or
// an escalation shared by two schools counts once. Reading the records and cutting each school's week out of
// them is digest.ts's work.

/** A family's week, as counted. */
export interface FamilyWeek {
  fact: FamilyFact;
  texted: boolean;
  delivered: boolean;
  replied: boolean;
  optedOutThisWeek: boolean;
  silent: SilenceReason | null;
}

/** An escalation's standing at the time of the digest. */
export interface EscalationWeek {
  id: string;
  raised: boolean;
  open: boolean;
  overdue: boolean;
  resolved: boolean;
  minutesToClaim: number | null;
}

/** A referral's standing at the time of the digest (its current status: the past ones are in the audit log). */
export interface ReferralWeek {
  id: string;
  status: ReferralFact['status'];
  made: boolean;
  closedInWeek: boolean;
  familySaidNotYet: boolean;
}

/** What one school's week is made of, before schools are added up (families and escalations by id). */
export interface SchoolWeek {
  school: SchoolRow;
  asOf: number;
  isBreak: boolean;
  navigators: NavigatorWeek[];
  families: FamilyWeek[];
  newNeeds: NeedFact[];
  waitingNeeds: NeedFact[];
  referrals: ReferralWeek[];
  escalations: EscalationWeek[];
  /** Completion of the weeks asked for, ending with this one. */
  trend: Completion[];
}

/** Adds schools up; a family or an escalation shared by two schools counts once. */
export function summarise(
  week: string,
  weeks: SchoolWeek[],
  shared: Set<string>,
  waitingDays: number,
): Omit<Digest, 'scope' | 'schools' | 'week' | 'asOf' | 'breakSchools' | 'change' | 'trend'> {
  const navigators = weeks.flatMap((w) => w.navigators);
  const families = uniqueFamilies(weeks, shared);
  const escalations = uniqueBy(
    weeks,
    (w) => w.escalations,
    (e) => e.id,
  );
  const newNeeds = uniqueBy(
    weeks,
    (w) => w.newNeeds,
    (n) => n.id,
  );
  const waiting = uniqueBy(
    weeks,
    (w) => w.waitingNeeds,
    (n) => n.id,
  );
  const referrals = uniqueBy(
    weeks,
    (w) => w.referrals,
    (r) => r.id,
  );
  const all = emptyCounts();
  const perLocale = new Map<string, FamilyCounts>();
  const silent: FamilyWeek[] = [];
  for (const f of families) {
    count(all, f);
    count(entry(perLocale, f.fact.locale, emptyCounts), f);
    if (f.silent !== null) silent.push(f);
  }
  const byLanguage: Record<string, FamilyCounts> = {};
  for (const locale of [...perLocale.keys()].sort()) byLanguage[locale] = perLocale.get(locale)!;
  const byReason = Object.fromEntries(SILENCE_REASONS.map((r) => [r, 0])) as Record<SilenceReason, number>;
  for (const f of silent) byReason[f.silent!] += 1;
  // Areas in the vocabulary's order, whatever order the rows came in.
  const fresh = new Map<NeedArea, Record<NeedFact['severity'], number>>();
  for (const n of newNeeds) entry(fresh, n.area, () => ({ low: 0, medium: 0, high: 0 }))[n.severity] += 1;
  const old = new Map<NeedArea, number>();
  for (const n of waiting) old.set(n.area, (old.get(n.area) ?? 0) + 1);
  const byArea: NeedsByArea = {};
  const waitingByArea: Partial<Record<NeedArea, number>> = {};
  for (const area of new Set([...NEED_AREAS, ...fresh.keys(), ...old.keys()])) {
    const cell = fresh.get(area);
    if (cell) byArea[area] = cell;
    const n = old.get(area);
    if (n) waitingByArea[area] = n;
  }
  const claimMinutes = escalations.flatMap((e) => (e.minutesToClaim === null ? [] : [e.minutesToClaim]));
  return {
    navigators,
    completion: addCompletions(
      week,
      weeks.map((w) => w.trend[w.trend.length - 1]!),
    ),
    families: {
      ...all,
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
    referrals: referralCounts(referrals),
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
export function optedOut(fact: FamilyFact): boolean {
  return fact.phoneOptedOut || fact.smsStatus === 'opted_out' || fact.consent === 'revoked';
}

function emptyCounts(): FamilyCounts {
  return {
    families: 0,
    texted: 0,
    delivered: 0,
    replied: 0,
    optedOut: 0,
    optedOutThisWeek: 0,
    unreachable: 0,
  };
}

/** Adds one family to the counts. */
function count(counts: FamilyCounts, f: FamilyWeek): void {
  counts.families += 1;
  if (f.texted) counts.texted += 1;
  if (f.delivered) counts.delivered += 1;
  if (f.replied) counts.replied += 1;
  if (optedOut(f.fact)) counts.optedOut += 1;
  if (f.optedOutThisWeek) counts.optedOutThisWeek += 1;
  if (!f.fact.hasPhone || f.fact.smsStatus === 'invalid' || f.fact.smsStatus === 'unreachable')
    counts.unreachable += 1;
}

function referralCounts(referrals: ReferralWeek[]): ReferralCounts {
  const open = (status: ReferralFact['status']) => referrals.filter((r) => r.status === status).length;
  const byStatus = { referred: open('referred'), connected: open('connected'), receiving: open('receiving') };
  return {
    waiting: { total: byStatus.referred + byStatus.connected + byStatus.receiving, byStatus },
    madeThisWeek: referrals.filter((r) => r.made).length,
    resolvedThisWeek: referrals.filter((r) => r.closedInWeek && r.status === 'resolved').length,
    declinedThisWeek: referrals.filter((r) => r.closedInWeek && r.status === 'declined').length,
    familySaidNotYet: referrals.filter((r) => r.familySaidNotYet).length,
  };
}

export function addCompletions(week: string, parts: Completion[]): Completion {
  const expected = parts.reduce((n, c) => n + c.expected, 0);
  const completed = parts.reduce((n, c) => n + c.completed, 0);
  const attempted = parts.reduce((n, c) => n + c.attempted, 0);
  return { week, expected, completed, attempted, rate: expected === 0 ? null : completed / expected };
}

export function addTrends(trends: Completion[][]): Completion[] {
  const first = trends[0] ?? [];
  return first.map((c, i) =>
    addCompletions(
      c.week,
      trends.map((t) => t[i]!),
    ),
  );
}

export function missed(navigators: NavigatorWeek[]): number {
  return navigators.reduce((n, w) => n + w.missed, 0);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The schools' families, each once (the first school's reading of a family shared by two schools). */
function uniqueFamilies(weeks: SchoolWeek[], shared: Set<string>): FamilyWeek[] {
  const seen = new Set<string>();
  const unique: FamilyWeek[] = [];
  for (const week of weeks)
    for (const family of week.families) {
      const guardian = family.fact.guardianId;
      if (shared.size > 0 && shared.has(guardian)) {
        if (seen.has(guardian)) continue;
        seen.add(guardian);
      }
      unique.push(family);
    }
  return unique;
}

/** The schools' items, each once (the first school's reading of it), in the schools' order. */
function uniqueBy<W, T>(weeks: W[], items: (week: W) => T[], key: (item: T) => string): T[] {
  if (weeks.length === 1) return items(weeks[0]!);
  const seen = new Set<string>();
  const unique: T[] = [];
  for (const week of weeks)
    for (const item of items(week)) {
      const k = key(item);
      if (seen.has(k)) continue;
      seen.add(k);
      unique.push(item);
    }
  return unique;
}

/** The value kept under `key`, made and kept first when there is none. */
export function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
