import { describe, expect, it } from 'vitest';
import {
  checkGrade,
  checkRole,
  isIanaZone,
  normaliseLanguage,
  normalisePhone,
} from '../../src/roster/fields.js';

describe('normalisePhone', () => {
  it.each([
    ['(312) 555-0101', '+13125550101'],
    ['312.555.0101', '+13125550101'],
    ['1 312 555 0101', '+13125550101'],
    ['+1 (312) 555-0101', '+13125550101'],
    ['+1 604 555 0101', '+16045550101'], // Canada shares +1
  ])('normalises %s to E.164', (raw, e164) => {
    expect(normalisePhone(raw, 'US')).toEqual({ ok: true, value: e164 });
  });

  it.each([
    ['312-555-CALL', 'contains letters; give digits only'],
    ['n/a', 'contains letters; give digits only'],
    ['312-555-0101 x12', 'has an extension; a text message cannot reach an extension'],
    ['312-555-0101 ext. 7', 'has an extension; a text message cannot reach an extension'],
    ['555-012', 'too short to be a phone number'],
    ['312555010199999999', 'too long to be a phone number'],
    ['+52 55 1234 5678', 'foreign number (+52); only +1 numbers can be texted'],
    ['+1 555 555 0101', 'not a valid phone number'],
    ['---', 'not a phone number'],
  ])('refuses %s', (raw, reason) => {
    expect(normalisePhone(raw, 'US')).toEqual({ ok: false, reason });
  });

  it('reads national numbers in the configured region', () => {
    expect(normalisePhone('020 7946 0958', 'GB')).toEqual({ ok: true, value: '+442079460958' });
    expect(normalisePhone('(312) 555-0101', 'GB')).toMatchObject({ ok: false });
  });
});

describe('normaliseLanguage', () => {
  it.each([
    ['es', 'es'],
    ['ES-mx', 'es'],
    ['Spanish', 'es'],
    ['español', 'es'],
    ['Español', 'es'],
    ['spa', 'es'],
    ['zh-Hant', 'zh'],
    ['zh_Hans', 'zh'],
    ['Chinese (Mandarin)', 'zh'],
    ['Cantonese', 'zh'],
    ['中文', 'zh'],
    ['Tiếng Việt', 'vi'],
    ['العربية', 'ar'],
    ['Haitian Creole', 'ht'],
    ['Kreyòl ayisyen', 'ht'],
    ['Somali', 'so'],
    ['Português', 'pt'],
    ['pt-BR', 'pt'],
    ['Русский', 'ru'],
  ])('maps %s to %s', (raw, locale) => {
    expect(normaliseLanguage(raw, 'en')).toEqual({ locale, fallback: false });
  });

  it('falls back to the default for unknown values and silently for blanks', () => {
    expect(normaliseLanguage('Klingon', 'es')).toEqual({ locale: 'es', fallback: true });
    expect(normaliseLanguage('fr', 'en')).toEqual({ locale: 'en', fallback: true });
    expect(normaliseLanguage('esperanto', 'en')).toEqual({ locale: 'en', fallback: true });
    expect(normaliseLanguage('', 'en')).toEqual({ locale: 'en', fallback: false });
  });
});

describe('time zones, grades and roles', () => {
  it('accepts IANA Area/Location zones and UTC, refuses abbreviations and invented zones', () => {
    for (const z of ['America/Chicago', 'America/Los_Angeles', 'America/Argentina/Buenos_Aires', 'UTC'])
      expect(isIanaZone(z)).toBe(true);
    for (const z of ['EST', 'CST6CDT', 'Central Time', 'America/Springfield', '', 'GMT+5'])
      expect(isIanaZone(z)).toBe(false);
  });

  it('normalises SIS grade spellings', () => {
    const grades = ['Pre-K', 'PK', 'KG', 'k', '01', '1st', 'Grade 3', '12', '00'];
    expect(grades.map((g) => checkGrade(g))).toEqual(
      ['PK', 'PK', 'K', 'K', '1', '1', '3', '12', 'K'].map((value) => ({ ok: true, value })),
    );
    for (const g of ['13', '0.5', 'TK', 'senior']) expect(checkGrade(g).ok).toBe(false);
  });

  it('accepts roles written the way people write them', () => {
    expect(checkRole('Lead Navigator')).toEqual({ ok: true, value: 'lead_navigator' });
    expect(checkRole('lead-navigator')).toEqual({ ok: true, value: 'lead_navigator' });
    expect(checkRole('Counsellor')).toEqual({ ok: true, value: 'counselor' });
    expect(checkRole('teacher')).toEqual({
      ok: false,
      reason: '"teacher" is not a role (navigator, lead_navigator, counselor, admin)',
    });
  });
});
