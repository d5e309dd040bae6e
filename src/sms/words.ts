import { LOCALES_DIR } from '../i18n/index.js';
import { type Locale, SUPPORTED_LOCALES } from '../vocabulary.js';
import { TWILIO_OPT_OUT_WORDS } from './common-words.js';
import { type CrisisTrigger, readSmsWords, type SmsWords } from './word-files.js';

// The shipped family SMS words (locales/<lng>/sms-words.json), read and validated once when the service
// starts, so a broken file stops start-up with its name and entry instead of silently missing a STOP.
// The tables keep the shapes the keyword and crisis matching (classify.ts) was written for.

const WORDS = readSmsWords(LOCALES_DIR, SUPPORTED_LOCALES);

function perLocale<T>(pick: (words: SmsWords) => T): Record<Locale, T> {
  return Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, pick(WORDS[l])])) as Record<Locale, T>;
}

const optOutInFiles = perLocale((w) => w.optOut);
/**
 * Whole-message opt-out words per language. Twilio's own words join English, the language they are written
 * in, from code: a district's file can add words but never lose STOP.
 */
export const OPT_OUT_WORDS: Record<Locale, string[]> = {
  ...optOutInFiles,
  en: [...TWILIO_OPT_OUT_WORDS, ...optOutInFiles.en],
};

/** Opt-in words: `strong` always (re)start texts, `weak` ones only for a guardian who opted out. */
export const OPT_IN_WORDS: Record<Locale, { strong: string[]; weak: string[] }> = perLocale((w) => w.optIn);

/** HELP / INFO and their equivalents per language. */
export const HELP_WORDS: Record<Locale, string[]> = perLocale((w) => w.help);

/** Words naming each language, in itself and in other languages. */
export const LANGUAGE_NAMES: Record<Locale, string[]> = perLocale((w) => w.languageNames);

/** Words asking for the list of languages, in every language: families may ask in any. */
export const LANGUAGE_LIST_WORDS: string[] = SUPPORTED_LOCALES.flatMap((l) => WORDS[l].languageList);

/** Politeness and linking words of every language, dropped at either end of a keyword message. */
export const FILLER_WORDS: string[] = SUPPORTED_LOCALES.flatMap((l) => WORDS[l].fillers);

/** Crisis wording per language and trigger (rules of the phrases: SmsWords.crisis in word-files.ts). */
export const CRISIS_PHRASES: Record<Locale, Record<CrisisTrigger, string[]>> = perLocale((w) => w.crisis);

/** Everyday phrases containing crisis wording, per language, blanked out before crisis matching. */
export const NOT_CRISIS: Partial<Record<Locale, string[]>> = perLocale((w) => w.notCrisis);

/** Crisis concepts per language and trigger (slots that must all occur in one sentence; see word-files.ts). */
export const CRISIS_CONCEPTS: Record<Locale, Record<CrisisTrigger, string[][]>> = perLocale(
  (w) => w.concepts,
);

/** Words that may be about a crisis but say too little alone: the text goes to a counselor to review. */
export const CONCERN_WORDS: Record<Locale, Record<CrisisTrigger, string[]>> = perLocale((w) => w.concern);

/** Opt-out said in a sentence, per language, matched anywhere in a text. */
export const OPT_OUT_PHRASES: Record<Locale, string[]> = perLocale((w) => w.optOutPhrases);

/** Opt-out concepts per language (slots in one sentence, any order). */
export const OPT_OUT_CONCEPTS: Record<Locale, string[][]> = perLocale((w) => w.optOutConcepts);

/** Words that may mean "stop texting" but not clearly, per language. */
export const OPT_OUT_MAYBE: Record<Locale, string[]> = perLocale((w) => w.optOutMaybe);

/** Opt-in said in a sentence, per language. */
export const OPT_IN_PHRASES: Record<Locale, string[]> = perLocale((w) => w.optInPhrases);

/** "Who is this?" and its kin, per language. */
export const IDENTITY_PHRASES: Record<Locale, string[]> = perLocale((w) => w.identity);

/** PAUSE words, week words and the small words allowed between, per language. */
export const PAUSE_WORDS: Record<Locale, SmsWords['pause']> = perLocale((w) => w.pause);

/** Number words 1–9 per language, keyed by digit. */
export const NUMBER_WORDS: Record<Locale, Record<string, string[]>> = perLocale((w) => w.numbers);
