import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCALES_DIR } from '../../src/i18n/index.js';
import { TWILIO_OPT_OUT_WORDS } from '../../src/sms/common-words.js';
import { readSmsWords } from '../../src/sms/word-files.js';
import { FILLER_WORDS, LANGUAGE_LIST_WORDS, NOT_CRISIS, OPT_OUT_WORDS } from '../../src/sms/words.js';
import { SUPPORTED_LOCALES } from '../../src/vocabulary.js';

const shipped = (locale: string) =>
  JSON.parse(readFileSync(join(LOCALES_DIR, locale, 'sms-words.json'), 'utf8')) as Record<string, unknown>;

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A locales folder holding the given files, named `locales` like the real one. */
function plantLocales(files: Record<string, string>): string {
  scratch = mkdtempSync(join(tmpdir(), 'sms-words-'));
  const dir = join(scratch, 'locales');
  for (const [locale, text] of Object.entries(files)) {
    mkdirSync(join(dir, locale), { recursive: true });
    writeFileSync(join(dir, locale, 'sms-words.json'), text);
  }
  return dir;
}

describe('family SMS words files', () => {
  it('reads every shipped language', () => {
    const words = readSmsWords(LOCALES_DIR, SUPPORTED_LOCALES);
    expect(Object.keys(words).sort()).toEqual([...SUPPORTED_LOCALES].sort());
    expect(words.es.crisis.no_food).toContain('no tenemos comida');
  });

  it('keeps Twilio’s own opt-out words in English whatever the file says, and only there', () => {
    expect(OPT_OUT_WORDS.en.slice(0, TWILIO_OPT_OUT_WORDS.length)).toEqual([...TWILIO_OPT_OUT_WORDS]);
    expect(OPT_OUT_WORDS.en).toContain('opt out');
    expect(OPT_OUT_WORDS.es).not.toContain('STOP');
  });

  it('gathers the shared lists from every language', () => {
    expect(LANGUAGE_LIST_WORDS).toEqual(expect.arrayContaining(['language', 'idioma', 'язык', 'luqad']));
    expect(FILLER_WORDS).toEqual(expect.arrayContaining(['please', 'por favor', 'làm ơn', 'fadlan']));
    expect(NOT_CRISIS.zh).toContain('食物过敏');
    expect(NOT_CRISIS.es).toContain('muerta de cansancio');
  });

  it('refuses bad files with one error naming each file and entry', () => {
    const so = shipped('so');
    delete so.optOut;
    (so.crisis as Record<string, string[]>).violence = [];
    const dir = plantLocales({ so: JSON.stringify(so), ar: '{ "optOut": [' });
    expect(() => readSmsWords(dir, ['en', 'so', 'ar'])).toThrow(
      [
        'family SMS words are invalid (see docs/sms.md):',
        '  locales/en/sms-words.json is missing',
        '  locales/so/sms-words.json: optOut is missing',
        '  locales/so/sms-words.json: crisis.violence is empty: list at least one word',
      ].join('\n'),
    );
    expect(() => readSmsWords(dir, ['ar'])).toThrow(/locales\/ar\/sms-words\.json is not valid JSON/);
  });

  it('reads a district’s edited file, words added', () => {
    const es = shipped('es');
    es.help = [...(es.help as string[]), 'auxilio'];
    const dir = plantLocales({ es: JSON.stringify(es) });
    expect(readSmsWords(dir, ['es']).es.help).toContain('auxilio');
  });
});
