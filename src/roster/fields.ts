import {
  type CountryCode,
  getCountryCallingCode,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js';
import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from '../store/schema/index.js';
import { type Locale, SUPPORTED_LOCALES } from '../vocabulary.js';
import { localeFromRoster } from './languages.js';

/** A field check's result: the normalised value, or the reason it was refused. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const refuse = <T>(reason: string): Checked<T> => ({ ok: false, reason });

const EXTENSION = /(?:\bext\.?|\bextension|\bx|#)\s*\d+\s*$/i;

/**
 * Normalises a phone number to E.164. Refused, because a text message cannot reach them: numbers with
 * letters (vanity numbers, 'n/a'), with an extension (an office line), too short or too long, from another
 * country than the district's (`region`; the family's texts would be international), or not a valid number.
 * Numbers sharing the region's calling code are accepted (+1 covers the US and Canada).
 */
export function normalisePhone(raw: string, region: string): Checked<string> {
  const value = raw.trim();
  if (EXTENSION.test(value)) return refuse('has an extension; a text message cannot reach an extension');
  if (/\p{L}/u.test(value)) return refuse('contains letters; give digits only');
  const country = region as CountryCode;
  const length = validatePhoneNumberLength(value, country);
  if (length === 'TOO_SHORT') return refuse('too short to be a phone number');
  if (length === 'TOO_LONG') return refuse('too long to be a phone number');
  if (length === 'NOT_A_NUMBER' || length === 'INVALID_LENGTH') return refuse('not a phone number');
  let parsed: ReturnType<typeof parsePhoneNumberWithError>;
  try {
    parsed = parsePhoneNumberWithError(value, country);
  } catch {
    return refuse('not a phone number');
  }
  if (parsed.countryCallingCode !== getCountryCallingCode(country))
    return refuse(
      `foreign number (+${parsed.countryCallingCode}); only +${getCountryCallingCode(country)} numbers can be texted`,
    );
  if (!parsed.isValid()) return refuse('not a valid phone number');
  return ok(parsed.number);
}

/** A language value resolved to a supported locale; `fallback` says the default was used instead. */
export interface LanguageChoice {
  locale: Locale;
  fallback: boolean;
}

/** Maps a language column to a supported locale; blank or unknown values fall back to `defaultLocale`. */
export function normaliseLanguage(raw: string, defaultLocale: Locale): LanguageChoice {
  const locale = localeFromRoster(raw);
  if (locale) return { locale, fallback: false };
  return { locale: defaultLocale, fallback: raw.trim() !== '' };
}

/** The locales the product speaks, for messages. */
export const LOCALE_LIST = SUPPORTED_LOCALES.join(', ');

/**
 * True for an IANA zone in Area/Location form, or UTC. Legacy names such as 'EST' or 'CST6CDT' are
 * refused even though the runtime knows them: they ignore or misplace daylight saving for a school.
 */
export function isIanaZone(zone: string): boolean {
  if (zone !== 'UTC' && !/^[A-Za-z]+\/[A-Za-z0-9_+\-/]+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function checkTimezone(raw: string): Checked<string> {
  const zone = raw.trim();
  return isIanaZone(zone) ? ok(zone) : refuse(`"${zone}" is not an IANA time zone such as America/Chicago`);
}

const Email = z.email();

/** Lower-cased e-mail address. */
export function checkEmail(raw: string): Checked<string> {
  const email = raw.trim().toLowerCase();
  return Email.safeParse(email).success ? ok(email) : refuse(`"${raw.trim()}" is not an e-mail address`);
}

/** 'PK', 'K' or '1'..'12'; accepts common SIS spellings such as 'Pre-K', 'KG', '05', '1st', 'Grade 3'. */
export function checkGrade(raw: string): Checked<string> {
  const v = raw
    .trim()
    .toUpperCase()
    .replace(/^GRADE\s*/, '')
    .replace(/[\s-]/g, '');
  if (['PK', 'PREK', 'PREKINDERGARTEN', 'P'].includes(v)) return ok('PK');
  if (['K', 'KG', 'KINDERGARTEN', '0', '00'].includes(v)) return ok('K');
  const n = /^0*(\d{1,2})(?:ST|ND|RD|TH)?$/.exec(v);
  if (n && Number(n[1]) >= 1 && Number(n[1]) <= 12) return ok(String(Number(n[1])));
  return refuse(`"${raw.trim()}" is not a grade (PK, K or 1 to 12)`);
}

/** 'navigator', 'lead_navigator', 'counselor' or 'admin'; 'Lead Navigator' and 'lead-navigator' are accepted. */
export function checkRole(raw: string): Checked<StaffRole> {
  const v = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
    .replace('counsellor', 'counselor');
  return (STAFF_ROLES as readonly string[]).includes(v)
    ? ok(v as StaffRole)
    : refuse(`"${raw.trim()}" is not a role (${STAFF_ROLES.join(', ')})`);
}

/** yes / no / blank (no statement); accepts y, n, true, false, 1, 0. */
export function checkYesNo(raw: string): Checked<boolean | null> {
  const v = raw.trim().toLowerCase();
  if (v === '') return ok(null);
  if (['yes', 'y', 'true', '1'].includes(v)) return ok(true);
  if (['no', 'n', 'false', '0'].includes(v)) return ok(false);
  return refuse(`"${raw.trim()}" is not yes or no`);
}

/** Slack user ids look like U0123ABCD (or W… on Enterprise Grid). */
export function checkSlackId(raw: string): Checked<string> {
  const v = raw.trim();
  return /^[UW][A-Z0-9]{4,}$/.test(v) ? ok(v) : refuse(`"${v}" is not a Slack user id such as U0123ABCD`);
}
