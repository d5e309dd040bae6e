import { describe, expect, it } from 'vitest';
import { loadLocaleResources } from '../../src/i18n/index.js';
import { createStaffTexts, isStaffKey, staffKeys, staffText } from '../../src/i18n/staff.js';
import { checkScripts, checkStaffTexts, formatProblem } from '../../src/scripts/check.js';
import { SCRIPT_SOURCES } from '../../src/scripts/index.js';
import { STAFF_LOCALES } from '../../src/vocabulary.js';

const resources = loadLocaleResources();
const staff = (lng: string) => resources[lng]!.staff as Record<string, string>;

describe('staff texts', () => {
  it('ship the same keys in every staff language', () => {
    for (const lng of STAFF_LOCALES) expect(staffKeys(resources, lng)).toEqual(staffKeys(resources, 'en'));
    expect(checkStaffTexts(resources)).toEqual([]);
  });

  it('render with i18next in the navigator’s language, a regional tag using its base language', () => {
    expect(staffText('en', 'grade', { grade: 4 })).toBe('grade 4');
    expect(staffText('es-MX', 'weekSummary', { done: 2, total: 5 })).toBe('2 de 5 hechos');
    expect(staffText('ES', 'counselorFor', { name: 'Ana' })).toBe('Un consejero hará seguimiento de *Ana*.');
    // A value is never read as a placeholder or a nested key: a family's words are typed by a person.
    expect(staffText('en', 'familySaid', { text: '{{name}} $t(staff.done)' })).toBe(
      'Family: {{name}} $t(staff.done)',
    );
    expect(staffText('en', 'help').split('\n')).toHaveLength(5);
  });

  it('fall back to English for a language without staff texts, and count it', () => {
    const texts = createStaffTexts({ resources });
    expect(texts.t('ar', 'oooTooLong', { days: 30 })).toBe(
      'Out of office can cover at most 30 days; ask your lead navigator for longer absences.',
    );
    expect(texts.counters.unknownLocale).toBe(1);
  });

  it('fall back to English for a key missing in one language, and count it', () => {
    const less = structuredClone(resources);
    delete (less.es!.staff as Record<string, string>).noHistory;
    const texts = createStaffTexts({ resources: less });
    expect(texts.t('es', 'noHistory')).toBe(staff('en').noHistory);
    expect(texts.t('es', 'noStudents')).toBe(staff('es').noStudents);
    expect(texts.counters.byKey).toEqual({ 'es:staff.noHistory': 1 });
  });

  it('name only keys of the English file (keys read back from outbox rows)', () => {
    expect(isStaffKey('weekHeading')).toBe(true);
    expect(isStaffKey('staff.weekHeading')).toBe(false);
    expect(isStaffKey('toString')).toBe(false);
  });
});

describe('scripts check on staff texts', () => {
  it('reports a staff key missing in one language', () => {
    const less = structuredClone(resources);
    delete (less.es!.staff as Record<string, string>).oooPast;
    expect(checkScripts(SCRIPT_SOURCES, less).map(formatProblem)).toEqual([
      "staff [es] missing_text: text 'staff.oooPast' is missing in 'es'",
    ]);
  });

  it('reports a key added only in Spanish as missing in English', () => {
    const more = structuredClone(resources);
    (more.es!.staff as Record<string, string>).oooSoon = 'Pronto';
    expect(checkStaffTexts(more).map(formatProblem)).toEqual([
      "staff [en] missing_text: text 'staff.oooSoon' is missing in 'en'",
    ]);
  });

  it('reports every key when a staff language has no file', () => {
    const none = structuredClone(resources);
    delete none.es!.staff;
    expect(checkStaffTexts(none)).toHaveLength(staffKeys(resources, 'en').length);
  });
});
