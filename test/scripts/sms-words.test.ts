import { describe, expect, it } from 'vitest';
import { loadLocaleResources } from '../../src/i18n/index.js';
import { checkScripts, checkSmsWords, FAMILY_LOCALES, formatProblem } from '../../src/scripts/check.js';
import { SCRIPT_SOURCES } from '../../src/scripts/index.js';

const resources = loadLocaleResources();
// Words are edited as loose JSON here, the way a district edits locales/<lng>/sms-words.json by hand.
// biome-ignore lint/suspicious/noExplicitAny: deliberately incomplete word files
const wordsOf = (r: typeof resources, locale: string): any => r[locale]!['sms-words'];

describe('scripts check: family SMS words', () => {
  it('finds every category in every shipped language', () => {
    expect(checkSmsWords(resources).map(formatProblem)).toEqual([]);
  });

  it('fails on a planted language that lacks a category, naming the file and the category', () => {
    const planted = structuredClone(resources);
    const words = structuredClone(wordsOf(resources, 'es'));
    delete words.help;
    planted.xx = { 'sms-words': words };
    expect(checkSmsWords(planted, [...FAMILY_LOCALES, 'xx']).map(formatProblem)).toEqual([
      'sms-words [xx] missing_words: locales/xx/sms-words.json: help is missing',
    ]);
  });

  it('is part of the scripts check: an empty crisis trigger in one language is reported', () => {
    const less = structuredClone(resources);
    wordsOf(less, 'so').crisis.violence = [];
    expect(checkScripts(SCRIPT_SOURCES, less).map(formatProblem)).toEqual([
      'sms-words [so] missing_words: locales/so/sms-words.json: crisis.violence is empty: list at least one word',
    ]);
  });

  it('reports a shipped language without a words file, and one missing an opt-in kind', () => {
    const less = structuredClone(resources);
    delete less.ht!['sms-words'];
    delete wordsOf(less, 'ru').optIn.weak;
    expect(checkSmsWords(less).map(formatProblem)).toEqual([
      'sms-words [ht] missing_words: locales/ht/sms-words.json is missing',
      'sms-words [ru] missing_words: locales/ru/sms-words.json: optIn.weak is missing',
    ]);
  });

  it('allows an empty notCrisis list (a language may have no false alarm to list)', () => {
    const none = structuredClone(resources);
    wordsOf(none, 'en').notCrisis = [];
    expect(checkSmsWords(none)).toEqual([]);
  });

  it('reports a misspelt category and a word that can never match', () => {
    const bad = structuredClone(resources);
    const vi = wordsOf(bad, 'vi');
    vi.optout = vi.optOut;
    vi.help = ['giúp', '!!'];
    expect(checkSmsWords(bad).map(formatProblem)).toEqual([
      'sms-words [vi] bad_words: locales/vi/sms-words.json: help[1] has no letter or digit, so it never matches',
      "sms-words [vi] bad_words: locales/vi/sms-words.json has unknown 'optout'",
    ]);
  });

  it('reports a keyword that means two things in two languages', () => {
    const clash = structuredClone(resources);
    wordsOf(clash, 'pt').optIn.strong.push('Para');
    expect(checkSmsWords(clash).map(formatProblem)).toEqual([
      "sms-words [pt] ambiguous_word: 'Para' (pt) is a strong opt-in word, but 'para' (es) is an opt-out word: keywords count in every language, so one meaning would be lost",
    ]);
  });

  it('reports a sentence that means two things (opt-out in one language, opt-in in another)', () => {
    const clash = structuredClone(resources);
    wordsOf(clash, 'ru').optInPhrases.push('stop texting');
    expect(checkSmsWords(clash).map(formatProblem)).toEqual([
      "sms-words [ru] ambiguous_word: 'stop texting' (ru) is a strong opt-in word, but 'stop texting' (en) is an opt-out word: keywords count in every language, so one meaning would be lost",
    ]);
  });

  it('reports a crisis concept with an empty slot', () => {
    const broken = structuredClone(resources);
    wordsOf(broken, 'so').concepts.medical.push([]);
    expect(checkSmsWords(broken).map(formatProblem)).toEqual([
      'sms-words [so] missing_words: locales/so/sms-words.json: concepts.medical[4] is empty: list at least one word',
    ]);
  });
});
