/** The two kinds of roster file: staff (from HR) and students with their guardians (from the SIS). */
export const ROSTER_FILE_KINDS = ['staff', 'students'] as const;
export type RosterFileKind = (typeof ROSTER_FILE_KINDS)[number];

const SCHOOL_COLUMNS = ['school_id', 'school_name', 'school_timezone', 'school_phone'] as const;

/** Staff file columns in export order; the first four are required. */
export const STAFF_COLUMNS = [
  'staff_id',
  'name',
  'email',
  'role',
  ...SCHOOL_COLUMNS,
  'timezone',
  'language',
  'slack_user_id',
  'teams_user_id',
] as const;
export const STAFF_REQUIRED = ['staff_id', 'name', 'email', 'role'] as const;

/** Per-guardian columns, repeated as guardian1_… and guardian2_…. */
export const GUARDIAN_FIELDS = [
  'id',
  'name',
  'phone',
  'language',
  'timezone',
  'relationship',
  'sms_consent',
] as const;
export type GuardianField = (typeof GUARDIAN_FIELDS)[number];
/** A student row names at most this many guardians; SIS exports rarely carry more contacts who get texts. */
export const GUARDIANS_PER_STUDENT = 2;

export const guardianColumn = (n: number, field: GuardianField) => `guardian${n}_${field}`;

/** Students file columns in export order; the first five are required. */
export const STUDENT_COLUMNS = [
  'student_id',
  'first_name',
  'last_name',
  'grade',
  ...SCHOOL_COLUMNS,
  'navigator_id',
  ...[1, 2].flatMap((n) => GUARDIAN_FIELDS.map((f) => guardianColumn(n, f))),
] as const;
export const STUDENT_REQUIRED = ['student_id', 'first_name', 'last_name', 'grade', 'school_id'] as const;

export const COLUMNS: Record<RosterFileKind, readonly string[]> = {
  staff: STAFF_COLUMNS,
  students: STUDENT_COLUMNS,
};
export const REQUIRED: Record<RosterFileKind, readonly string[]> = {
  staff: STAFF_REQUIRED,
  students: STUDENT_REQUIRED,
};

/** 'Student ID' and 'student-id' both become 'student_id', as spreadsheet exports vary. */
export function normaliseHeader(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Which kind of file a header describes: a student_id column makes a students file, staff_id a staff file. */
export function kindOf(headers: string[]): RosterFileKind | 'both' | undefined {
  const students = headers.includes('student_id');
  const staff = headers.includes('staff_id');
  if (students && staff) return 'both';
  return students ? 'students' : staff ? 'staff' : undefined;
}
