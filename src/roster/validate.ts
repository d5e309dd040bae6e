import type { Config } from '../config.js';
import type { StaffRole } from '../store/schema/index.js';
import type { Locale } from '../vocabulary.js';
import { GUARDIAN_FIELDS, GUARDIANS_PER_STUDENT, guardianColumn } from './columns.js';
import type { RosterRow } from './csv.js';
import {
  type Checked,
  checkEmail,
  checkGrade,
  checkRole,
  checkSlackId,
  checkTimezone,
  checkYesNo,
  LOCALE_LIST,
  normaliseLanguage,
  normalisePhone,
} from './fields.js';
import type { RosterProblem } from './report.js';

/** Where a record came from, for problem reports. */
export interface Origin {
  file: string;
  line: number;
}

/** A school as a row declares it; name, time zone and phone may be left blank when the school is known. */
export interface SchoolMention extends Origin {
  id: string;
  name: string | null;
  timezone: string | null;
  /** E.164. */
  phone: string | null;
}

export interface StaffRecord extends Origin {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  school: SchoolMention | null;
  /** Null: the school's zone (or the district default) applies. */
  timezone: string | null;
  locale: Locale;
  slackUserId: string | null;
  teamsUserId: string | null;
}

export interface GuardianRecord {
  /** 1 or 2: which guardianN_ columns it came from. */
  slot: number;
  id: string;
  name: string;
  phone: string | null;
  locale: Locale;
  /** Null: the student's school zone applies. */
  timezone: string | null;
  relationship: string | null;
  /** The sms_consent column: true yes, false no, null not stated. */
  smsConsent: boolean | null;
}

export interface StudentRecord extends Origin {
  id: string;
  firstName: string;
  lastName: string;
  grade: string;
  school: SchoolMention;
  navigatorId: string | null;
  guardians: GuardianRecord[];
}

export type RowSettings = Pick<Config, 'defaultLocale' | 'defaultPhoneRegion'>;

/** Collects a row's problems; `take` unwraps a field check or records why it was refused. */
class RowCheck {
  readonly problems: RosterProblem[] = [];
  constructor(
    private readonly file: string,
    private readonly row: RosterRow,
  ) {}

  get(column: string): string {
    return this.row.values[column] ?? '';
  }

  error(column: string | null, message: string): void {
    this.problems.push({ file: this.file, line: this.row.line, column, severity: 'error', message });
  }

  warn(column: string | null, message: string): void {
    this.problems.push({ file: this.file, line: this.row.line, column, severity: 'warning', message });
  }

  required(column: string): string {
    const v = this.get(column);
    if (v === '') this.error(column, 'required');
    return v;
  }

  take<T>(column: string, result: Checked<T>): T | null {
    if (result.ok) return result.value;
    this.error(column, result.reason);
    return null;
  }

  /** A blank value is null; anything else must pass `check`. */
  optional<T>(column: string, check: (v: string) => Checked<T>): T | null {
    const v = this.get(column);
    return v === '' ? null : this.take(column, check(v));
  }

  language(column: string, defaultLocale: Locale): Locale {
    const raw = this.get(column);
    const choice = normaliseLanguage(raw, defaultLocale);
    if (choice.fallback)
      this.warn(column, `unknown language "${raw}"; using ${defaultLocale} (supported: ${LOCALE_LIST})`);
    return choice.locale;
  }

  get failed(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }
}

function schoolMention(c: RowCheck, origin: Origin, id: string, settings: RowSettings): SchoolMention {
  return {
    ...origin,
    id,
    name: c.get('school_name') || null,
    timezone: c.optional('school_timezone', checkTimezone),
    phone: c.optional('school_phone', (v) => normalisePhone(v, settings.defaultPhoneRegion)),
  };
}

/** Checks one staff row on its own; the record is absent when the row has an error. */
export function validateStaffRow(
  file: string,
  row: RosterRow,
  settings: RowSettings,
): { record?: StaffRecord; problems: RosterProblem[] } {
  const c = new RowCheck(file, row);
  const origin = { file, line: row.line };
  const id = c.required('staff_id');
  const name = c.required('name');
  const email = c.get('email') === '' ? c.required('email') : c.take('email', checkEmail(c.get('email')));
  const role = c.get('role') === '' ? c.required('role') : c.take('role', checkRole(c.get('role')));
  const schoolId = c.get('school_id');
  const school = schoolId ? schoolMention(c, origin, schoolId, settings) : null;
  const timezone = c.optional('timezone', checkTimezone);
  const locale = c.language('language', settings.defaultLocale);
  const slackUserId = c.optional('slack_user_id', checkSlackId);
  const teamsUserId = c.get('teams_user_id') || null;
  if (c.failed) return { problems: c.problems };
  return {
    record: {
      ...origin,
      id,
      name,
      email: email!,
      role: role as StaffRole,
      school,
      timezone,
      locale,
      slackUserId,
      teamsUserId,
    },
    problems: c.problems,
  };
}

function guardianOf(c: RowCheck, n: number, settings: RowSettings): GuardianRecord | null {
  const col = (f: (typeof GUARDIAN_FIELDS)[number]) => guardianColumn(n, f);
  if (GUARDIAN_FIELDS.every((f) => c.get(col(f)) === '')) return null;
  const id = c.required(col('id'));
  const name = c.required(col('name'));
  const phone = c.optional(col('phone'), (v) => normalisePhone(v, settings.defaultPhoneRegion));
  const locale = c.language(col('language'), settings.defaultLocale);
  const timezone = c.optional(col('timezone'), checkTimezone);
  const smsConsent = c.take(col('sms_consent'), checkYesNo(c.get(col('sms_consent'))));
  return {
    slot: n,
    id,
    name,
    phone,
    locale,
    timezone,
    relationship: c.get(col('relationship')) || null,
    smsConsent,
  };
}

/** Checks one student row on its own, guardians included; the record is absent when the row has an error. */
export function validateStudentRow(
  file: string,
  row: RosterRow,
  settings: RowSettings,
): { record?: StudentRecord; problems: RosterProblem[] } {
  const c = new RowCheck(file, row);
  const origin = { file, line: row.line };
  const id = c.required('student_id');
  const firstName = c.required('first_name');
  const lastName = c.required('last_name');
  const grade = c.get('grade') === '' ? c.required('grade') : c.take('grade', checkGrade(c.get('grade')));
  const schoolId = c.required('school_id');
  const school = schoolMention(c, origin, schoolId, settings);
  const navigatorId = c.get('navigator_id') || null;
  const guardians: GuardianRecord[] = [];
  for (let n = 1; n <= GUARDIANS_PER_STUDENT; n++) {
    const g = guardianOf(c, n, settings);
    if (g) guardians.push(g);
  }
  if (guardians.length === 2 && guardians[0]!.id !== '' && guardians[0]!.id === guardians[1]!.id)
    c.error(guardianColumn(2, 'id'), 'the same guardian as guardian1_id');
  if (c.failed) return { problems: c.problems };
  if (!navigatorId) c.warn('navigator_id', 'no navigator: the student is on no caseload');
  if (!guardians.some((g) => g.phone))
    c.warn(null, 'no guardian with a phone number: the family will not get check-in texts');
  return {
    record: { ...origin, id, firstName, lastName, grade: grade!, school, navigatorId, guardians },
    problems: c.problems,
  };
}
