import { checkYesNo } from '../roster/fields.js';
import { localeFromRoster } from '../roster/languages.js';
import type { RosterProblem } from '../roster/report.js';
import type { NeedArea } from '../vocabulary.js';
import { AREA_LIST, LIST_SEPARATOR, needAreaOf } from './columns.js';
import type { CatalogRow } from './csv.js';

/** A service as one valid row declares it. */
export interface ServiceRecord {
  file: string;
  line: number;
  /** The natural key: `service_id`, else made from the name (and the school for a school's own service). */
  id: string;
  name: string;
  needAreas: NeedArea[];
  contact: string | null;
  languages: string[];
  hours: string | null;
  notes: string | null;
  /** Null: district-wide. */
  schoolId: string | null;
  active: boolean;
}

/** 'Northside Food Pantry' → 'northside-food-pantry'; letters of every script are kept. */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/** The key a row without `service_id` gets: the same name in the same scope is the same service. */
export function naturalKey(name: string, schoolId: string | null): string {
  return schoolId ? `${schoolId}:${slugOf(name)}` : slugOf(name);
}

const list = (cell: string) =>
  cell
    .split(LIST_SEPARATOR)
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * Checks one catalog row on its own: required name and need areas (each one of the taxonomy's, an unknown
 * one named), languages (a language the product does not text in is kept as written, with a warning), the
 * active flag. Whether the school exists is checked against the roster when the row is applied.
 */
export function validateServiceRow(
  file: string,
  row: CatalogRow,
): { record?: ServiceRecord; problems: RosterProblem[] } {
  const problems: RosterProblem[] = [];
  const get = (c: string) => row.values[c] ?? '';
  const error = (column: string | null, message: string) =>
    problems.push({ file, line: row.line, column, severity: 'error', message });
  const warn = (column: string | null, message: string) =>
    problems.push({ file, line: row.line, column, severity: 'warning', message });

  const name = get('name');
  if (name === '') error('name', 'required');
  const areas: NeedArea[] = [];
  const cells = list(get('need_areas'));
  if (cells.length === 0) error('need_areas', 'required');
  for (const cell of cells) {
    const area = needAreaOf(cell);
    if (!area) error('need_areas', `unknown need area "${cell}" (need areas: ${AREA_LIST})`);
    else if (!areas.includes(area)) areas.push(area);
  }
  const languages: string[] = [];
  for (const cell of list(get('languages'))) {
    const locale = localeFromRoster(cell);
    if (!locale) warn('languages', `"${cell}" is not a language families are texted in; kept as written`);
    const value = locale ?? cell;
    if (!languages.includes(value)) languages.push(value);
  }
  const active = checkYesNo(get('active'));
  if (!active.ok) error('active', active.reason);
  const schoolId = get('school_id') || null;
  const given = get('service_id');
  if (given !== '' && !/^[\p{L}\p{N}][\p{L}\p{N}._:-]*$/u.test(given))
    error('service_id', `"${given}" may hold only letters, digits, dots, dashes, underscores and colons`);
  if (name !== '' && given === '' && slugOf(name) === '')
    error('name', 'has no letters or digits to make a service id from; give a service_id');
  if (problems.some((p) => p.severity === 'error')) return { problems };
  return {
    record: {
      file,
      line: row.line,
      id: given || naturalKey(name, schoolId),
      name,
      needAreas: areas,
      contact: get('contact') || null,
      languages,
      hours: get('hours') || null,
      notes: get('notes') || null,
      schoolId,
      active: (active.ok && active.value) ?? true,
    },
    problems,
  };
}
