import type { Config } from '../config.js';
import type {
  GuardianInput,
  GuardianLink,
  RosterRepository,
  SchoolInput,
  StaffInput,
  StudentInput,
} from '../store/repositories/roster.js';
import type { Locale } from '../vocabulary.js';
import { guardianColumn } from './columns.js';
import type { RosterProblem } from './report.js';
import type { GuardianRecord, Origin, SchoolMention, StaffRecord, StudentRecord } from './validate.js';

/** A guardian to write, with the consent the roster states (first stated value across rows). */
export interface PlannedGuardian extends GuardianInput, Origin {
  slot: number;
  smsConsent: boolean | null;
}

export interface PlannedStudent extends Origin {
  input: StudentInput;
  navigatorId: string | null;
  links: GuardianLink[];
}

/** The rows that survived every cross-row check, resolved into what the store needs. */
export interface RosterPlan {
  schools: SchoolInput[];
  staff: (StaffInput & Origin)[];
  guardians: PlannedGuardian[];
  students: PlannedStudent[];
  problems: RosterProblem[];
  /** 'file:line' of every row rejected by a cross-row check. */
  rejected: Set<string>;
}

const key = (o: Origin) => `${o.file}:${o.line}`;
/** 'line 5' in the same file, 'staff.csv:5' in another. */
const where = (o: Origin, from: Origin) => (o.file === from.file ? `line ${o.line}` : key(o));

/**
 * Checks the rows against each other and against the database: schools declared consistently, no
 * duplicate ids, e-mails or chat ids, navigators that exist, guardians described the same way on every
 * row that names them. A row failing a check is rejected whole; warnings never reject.
 */
export async function planRoster(
  staffRecords: StaffRecord[],
  studentRecords: StudentRecord[],
  roster: RosterRepository,
  config: Pick<Config, 'defaultTimezone'>,
): Promise<RosterPlan> {
  const problems: RosterProblem[] = [];
  const rejected = new Set<string>();
  const reject = (o: Origin, column: string | null, message: string) => {
    problems.push({ file: o.file, line: o.line, column, severity: 'error', message });
    rejected.add(key(o));
  };
  const warn = (o: Origin, column: string | null, message: string) =>
    problems.push({ file: o.file, line: o.line, column, severity: 'warning', message });

  // Schools: the first row to give a name, zone or phone declares it; later rows must agree.
  type Declared = { v: string; o: Origin };
  const declared = new Map<string, { name?: Declared; tz?: Declared; phone?: Declared }>();
  const mentions: SchoolMention[] = [
    ...staffRecords.flatMap((s) => (s.school ? [s.school] : [])),
    ...studentRecords.map((s) => s.school),
  ];
  for (const m of mentions) {
    const d = declared.get(m.id) ?? {};
    declared.set(m.id, d);
    if (m.name !== null) {
      if (!d.name) d.name = { v: m.name, o: m };
      else if (d.name.v !== m.name)
        reject(m, 'school_name', `school ${m.id} is named "${d.name.v}" on ${where(d.name.o, m)}`);
    }
    if (m.timezone !== null) {
      if (!d.tz) d.tz = { v: m.timezone, o: m };
      else if (d.tz.v !== m.timezone)
        reject(m, 'school_timezone', `school ${m.id} is in ${d.tz.v} on ${where(d.tz.o, m)}`);
    }
    if (m.phone !== null) {
      if (!d.phone) d.phone = { v: m.phone, o: m };
      else if (d.phone.v !== m.phone)
        reject(m, 'school_phone', `school ${m.id} has a different phone on ${where(d.phone.o, m)}`);
    }
  }
  const schools: SchoolInput[] = [];
  const schoolZone = new Map<string, string>();
  for (const [id, d] of declared) {
    const existing = await roster.school(id);
    if (!d.name && !existing) {
      for (const m of mentions.filter((x) => x.id === id))
        reject(m, 'school_id', `unknown school "${id}"; give its school_name and school_timezone on one row`);
      continue;
    }
    const timezone = d.tz?.v ?? existing?.timezone ?? config.defaultTimezone;
    if (!d.tz && !existing)
      warn(d.name!.o, 'school_timezone', `blank for new school ${id}; using ${config.defaultTimezone}`);
    // A blank school_phone keeps the stored one, as for name and zone: partial files must not erase it.
    const phone = d.phone?.v ?? existing?.phone ?? null;
    schools.push({ id, name: d.name?.v ?? existing!.name, timezone, phone });
    schoolZone.set(id, timezone);
  }

  // Staff: ids, e-mails and chat ids are unique in the files (counting rows rejected for other reasons)
  // and must not belong to someone else already.
  const staff: (StaffInput & Origin)[] = [];
  const staffRows = new Map<string, Origin>();
  const seen = {
    email: new Map<string, StaffRecord>(),
    slack: new Map<string, StaffRecord>(),
    teams: new Map<string, StaffRecord>(),
  };
  for (const s of staffRecords) {
    const first = staffRows.get(s.id);
    if (first) {
      reject(s, 'staff_id', `staff ${s.id} already appears on ${where(first, s)}`);
      continue;
    }
    staffRows.set(s.id, s);
    const clash = (
      column: string,
      value: string | null,
      map: Map<string, StaffRecord>,
      dbOwner: string | undefined,
    ) => {
      if (value === null) return;
      const other = map.get(value);
      if (other) reject(s, column, `also given for staff ${other.id} on ${where(other, s)}`);
      else if (dbOwner !== undefined && dbOwner !== s.id) {
        const msg = `belongs to staff ${dbOwner} in the database`;
        if (column === 'email') warn(s, column, msg);
        else reject(s, column, msg);
      } else map.set(value, s);
    };
    clash('email', s.email, seen.email, (await roster.staffByEmail(s.email))?.id);
    clash(
      'slack_user_id',
      s.slackUserId,
      seen.slack,
      s.slackUserId ? (await roster.staffBySlackId(s.slackUserId))?.id : undefined,
    );
    clash(
      'teams_user_id',
      s.teamsUserId,
      seen.teams,
      s.teamsUserId ? (await roster.staffByTeamsId(s.teamsUserId))?.id : undefined,
    );
    if (rejected.has(key(s))) continue;
    const schoolId = s.school?.id ?? null;
    if (schoolId && !schoolZone.has(schoolId)) continue; // rejected above for an unknown school
    staff.push({
      file: s.file,
      line: s.line,
      id: s.id,
      schoolId,
      name: s.name,
      email: s.email,
      role: s.role,
      slackUserId: s.slackUserId,
      teamsUserId: s.teamsUserId,
      timezone: s.timezone ?? (schoolId ? schoolZone.get(schoolId)! : config.defaultTimezone),
      locale: s.locale,
    });
  }
  const plannedStaff = new Set(staff.map((s) => s.id));

  // Students, and the guardians they name.
  const students: PlannedStudent[] = [];
  const studentRows = new Map<string, Origin>();
  const guardians = new Map<string, PlannedGuardian & { tzStated: boolean }>();
  for (const s of studentRecords) {
    const first = studentRows.get(s.id);
    if (first) {
      reject(s, 'student_id', `student ${s.id} already appears on ${where(first, s)}`);
      continue;
    }
    studentRows.set(s.id, s);
    if (s.navigatorId && !plannedStaff.has(s.navigatorId) && !(await roster.staffById(s.navigatorId))) {
      const row = staffRows.get(s.navigatorId);
      reject(
        s,
        'navigator_id',
        row
          ? `staff ${s.navigatorId} was rejected (${key(row)})`
          : `no staff member "${s.navigatorId}" in the staff file or the database`,
      );
    }
    const zone = schoolZone.get(s.school.id);
    for (const g of s.guardians) {
      const had = guardians.get(g.id);
      if (had) for (const [column, message] of guardianConflicts(had, g, s)) reject(s, column, message);
    }
    if (rejected.has(key(s)) || zone === undefined) continue;
    for (const g of s.guardians) {
      const had = guardians.get(g.id);
      if (had) {
        if (had.smsConsent === null) had.smsConsent = g.smsConsent;
        continue;
      }
      guardians.set(g.id, {
        file: s.file,
        line: s.line,
        slot: g.slot,
        id: g.id,
        name: g.name,
        phone: g.phone,
        locale: g.locale,
        timezone: g.timezone ?? zone,
        tzStated: g.timezone !== null,
        smsConsent: g.smsConsent,
      });
    }
    students.push({
      file: s.file,
      line: s.line,
      input: {
        id: s.id,
        schoolId: s.school.id,
        firstName: s.firstName,
        lastName: s.lastName,
        grade: s.grade,
      },
      navigatorId: s.navigatorId,
      links: s.guardians.map((g) => ({ guardianId: g.id, relationship: g.relationship })),
    });
  }

  // Two guardians sharing one phone is real (parents at one number) but worth a look: it may be a typo.
  const byPhone = new Map<string, Set<string>>();
  for (const g of guardians.values()) {
    if (!g.phone) continue;
    const ids = byPhone.get(g.phone) ?? new Set((await roster.guardiansByPhone(g.phone)).map((x) => x.id));
    ids.add(g.id);
    byPhone.set(g.phone, ids);
  }
  for (const g of guardians.values()) {
    const others = [...(byPhone.get(g.phone ?? '') ?? [])].filter((id) => id !== g.id);
    if (g.phone && others.length)
      warn(
        g,
        guardianColumn(g.slot, 'phone'),
        `guardian ${g.id} shares this phone with guardian ${others.join(', ')}`,
      );
  }

  return {
    schools,
    staff,
    guardians: [...guardians.values()].map(({ tzStated: _, ...g }) => g),
    students,
    problems,
    rejected,
  };
}

/** Differences between a guardian as first seen and as another row describes them. */
function guardianConflicts(
  had: PlannedGuardian & { tzStated: boolean },
  g: GuardianRecord,
  at: Origin,
): [string, string][] {
  const out: [string, string][] = [];
  const col = (f: Parameters<typeof guardianColumn>[1]) => guardianColumn(g.slot, f);
  const differs = (what: string) => `guardian ${g.id} has a different ${what} on ${where(had, at)}`;
  if (had.name !== g.name) out.push([col('name'), differs('name')]);
  if (had.phone !== g.phone) out.push([col('phone'), differs('phone')]);
  if (had.locale !== (g.locale as Locale)) out.push([col('language'), differs('language')]);
  if (had.tzStated && g.timezone !== null && had.timezone !== g.timezone)
    out.push([col('timezone'), differs('time zone')]);
  if (had.smsConsent !== null && g.smsConsent !== null && had.smsConsent !== g.smsConsent)
    out.push([col('sms_consent'), differs('sms_consent')]);
  return out;
}
