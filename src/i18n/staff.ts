// Texts of the staff screens themselves (buttons, headings, command replies), shared by every staff channel
// (Slack today, Teams next). Check-in questions are not here: they come from the script's navigator texts.
import type enStaff from '../../locales/en/staff.json';
import type { Logger } from '../lib/logger.js';
import {
  createTexts,
  type FallbackCounters,
  flattenKeys,
  type LocaleResources,
  loadLocaleResources,
} from './index.js';

/** The source language of staff texts: its file defines the keys, and other languages fall back to it. */
export const STAFF_SOURCE_LOCALE = 'en';

/** A staff text key, e.g. 'weekSummary' (`staff.weekSummary` for i18next). */
export type StaffKey = keyof typeof enStaff;
export type StaffParams = Record<string, string | number>;

export interface StaffTexts {
  /** Renders a key in the person's language; a regional tag uses its base language, anything else English. */
  t(locale: string, key: StaffKey, params?: StaffParams): string;
  /** Whether a string names a staff text (keys are stored in outbox rows and read back). */
  has(key: string): key is StaffKey;
  readonly counters: FallbackCounters;
}

/** Only the `staff.json` file of each locale that has one. */
export function staffResources(resources: LocaleResources): LocaleResources {
  return Object.fromEntries(
    Object.entries(resources).flatMap(([lng, files]) => (files.staff ? [[lng, { staff: files.staff }]] : [])),
  );
}

/** Every staff key of one locale, as i18next sees it: ['staff.grade', ...]. */
export function staffKeys(resources: LocaleResources, locale: string): string[] {
  return flattenKeys(resources[locale]?.staff ?? {}, 'staff.');
}

/**
 * Staff texts rendered with i18next, falling back (counted, and logged when given a logger) to English.
 * Example: `createStaffTexts().t('es', 'weekSummary', { done: 2, total: 5 })` → '2 de 5 hechos'.
 */
export function createStaffTexts(options: { logger?: Logger; resources?: LocaleResources } = {}): StaffTexts {
  // Only the staff files: a navigator in a language that has family texts but no staff texts then counts as
  // an unknown staff language rather than as one missing translation per key.
  const resources = staffResources(options.resources ?? loadLocaleResources());
  // Not the district default: staff texts ship in fewer languages than family texts, and English is the one
  // every staff key must exist in.
  const texts = createTexts({ defaultLocale: STAFF_SOURCE_LOCALE, resources, logger: options.logger });
  const keys = new Set(staffKeys(resources, STAFF_SOURCE_LOCALE));
  return {
    t: (locale, key, params = {}) => texts.t(`staff.${key}`, locale, params).text,
    has: (key): key is StaffKey => keys.has(`staff.${key}`),
    counters: texts.counters,
  };
}

let shared: StaffTexts | undefined;

/** The service's staff texts, read from the locale files on first use. */
export function staffTexts(): StaffTexts {
  shared ??= createStaffTexts();
  return shared;
}

/** A staff text in the person's language: `staffText('es-MX', 'grade', { grade: 4 })` is 'grado 4'. */
export function staffText(locale: string, key: StaffKey, params: StaffParams = {}): string {
  return staffTexts().t(locale, key, params);
}

/** Whether a string names a staff text. */
export function isStaffKey(key: string): key is StaffKey {
  return staffTexts().has(key);
}
