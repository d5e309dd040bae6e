import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { fold } from './normalize.js';

// The family SMS words of one language live in `locales/<lng>/sms-words.json`, beside its texts, so that a
// district edits words the way it edits translations (docs/sms.md). This module says what such a file holds
// and reads it; `scripts check` and the start-up read share it, so both reject the same mistakes.

/** What a crisis message is about; the same words as escalations.trigger. Order matters: gravest first. */
export const CRISIS_TRIGGERS = [
  'self_harm',
  'abuse_neglect',
  'violence',
  'housing_loss',
  'no_food',
  'medical',
] as const;
export type CrisisTrigger = (typeof CRISIS_TRIGGERS)[number];

/** The file's name without `.json`: its key among a locale's files in LocaleResources. */
export const SMS_WORDS_NAME = 'sms-words';
export const SMS_WORDS_FILE = `${SMS_WORDS_NAME}.json`;

// A word that folds to nothing (only punctuation or emoji) could never match: a typo, not a word.
const Word = z
  .string()
  .refine((w) => fold(w) !== '', { error: 'has no letter or digit, so it never matches' });
const Words = z.array(Word).min(1);

/**
 * One language's words, written as people type them (matching folds case, accents and punctuation).
 * Example: `{ optOut: ['parar', ...], optIn: { strong: ['comenzar'], weak: ['sí'] }, help: ['ayuda'], ... }`.
 */
export const SmsWords = z.strictObject({
  /** Whole-message opt-out words. Never a word that is also an ordinary answer ("no más"). */
  optOut: Words,
  /** `strong` words always restart texts; `weak` ones ("sí") are answers too, so they only restart opted-out families. */
  optIn: z.strictObject({ strong: Words, weak: Words }),
  /** HELP / INFO: carriers require an answer, even to an opted-out number. */
  help: Words,
  /** Names of THIS language, in itself and in the languages families may use for it ("español", "spanish"). */
  languageNames: Words,
  /** This language's words asking for the list of languages ("idioma"); also allowed before a language name. */
  languageList: Words,
  /** Words that may surround a keyword without changing it ("por favor", "en" as in "en español"). */
  fillers: Words,
  /**
   * Crisis wording per trigger, matched anywhere in a message. `suicid*` matches word endings; a leading `=`
   * keeps accents ("=tự tử", suicide, folds like "từ từ", slowly); a single word of four letters or fewer
   * counts only for guardians of this language.
   */
  crisis: z.strictObject(
    Object.fromEntries(CRISIS_TRIGGERS.map((t) => [t, Words])) as Record<CrisisTrigger, typeof Words>,
  ),
  /**
   * Crisis concepts per trigger: each concept is a list of slots that must all occur in one sentence, in any
   * order; a slot lists its alternatives with `|` (`*` ends a stem). Negation is a slot of its own:
   * `["not|don t|doesn t|no longer", "want*", "alive|live|living"]` hears "doesn't want to be alive anymore".
   */
  concepts: z.strictObject(
    Object.fromEntries(CRISIS_TRIGGERS.map((t) => [t, z.array(z.array(Word).min(1)).min(1)])) as Record<
      CrisisTrigger,
      z.ZodArray<z.ZodArray<typeof Word>>
    >,
  ),
  /**
   * Per trigger, words that may be about a crisis but say too little on their own ("die", "scared",
   * "police"): a text with one and no crisis becomes a non-urgent escalation with that trigger, for a
   * counselor to review, never silence. A trigger's list may be empty.
   */
  concern: z.strictObject(
    Object.fromEntries(CRISIS_TRIGGERS.map((t) => [t, z.array(Word)])) as Record<
      CrisisTrigger,
      z.ZodArray<typeof Word>
    >,
  ),
  /** Everyday phrases containing crisis words ("beat me at chess", "killing me" of homework), blanked out first. May be empty. */
  notCrisis: z.array(Word),
  /** Opt-out said in a sentence, matched anywhere in the text ("take me off", "dejen de mandar"). */
  optOutPhrases: Words,
  /**
   * Opt-out said in any words: concepts like the crisis ones (slots in one sentence, any order), such as
   * `["stop|cancel|don t want", "messages|texts|my number"]` for "I don't want to receive these messages".
   */
  optOutConcepts: z.array(z.array(Word).min(1)).min(1),
  /** Words that may mean "stop texting" but not clearly ("too many texts"): answered with one short question. */
  optOutMaybe: Words,
  /** Opt-in said in a sentence ("want the messages again"). */
  optInPhrases: Words,
  /** "Who is this?" and its kin: answered with who texts and how to stop. */
  identity: Words,
  /** PAUSE words, the words for "week" after the number ("PAUSA 3 semanas"), and small words allowed between ("for"). */
  pause: z.strictObject({ words: Words, weeks: Words, joiners: z.array(Word) }),
  /** Number words 1–9 as families type them ("dos", "hai", "二"), each key a digit. */
  numbers: z.strictObject(
    Object.fromEntries(['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((n) => [n, Words])) as Record<
      string,
      typeof Words
    >,
  ),
});
export type SmsWords = z.infer<typeof SmsWords>;

/** One thing wrong in a words file. `missing` and `empty` name a category without words; `path` is dotted. */
export interface WordsIssue {
  path: string;
  problem: 'missing' | 'empty' | 'invalid';
  message: string;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const p of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[p];
  }
  return node;
}

/**
 * Everything wrong with one language's words (parsed JSON, or undefined when the file is absent); `[]` when
 * they are fine. Example: `smsWordsIssues({ ...words, help: [] })` → `[{ path: 'help', problem: 'empty', ... }]`.
 */
export function smsWordsIssues(data: unknown): WordsIssue[] {
  if (data === undefined) return [{ path: '', problem: 'missing', message: 'is missing' }];
  const parsed = SmsWords.safeParse(data);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const value = valueAt(data, issue.path);
    const path = formatPath(issue.path);
    if (value === undefined && issue.path.length > 0)
      return { path, problem: 'missing', message: 'is missing' };
    if (Array.isArray(value) && value.length === 0 && issue.code === 'too_small')
      return { path, problem: 'empty', message: 'is empty: list at least one word' };
    if (issue.code === 'unrecognized_keys')
      return {
        path,
        problem: 'invalid',
        message: `has unknown ${issue.keys.map((k) => `'${k}'`).join(', ')}`,
      };
    const message = issue.code === 'custom' ? issue.message : `is not valid (${issue.message})`;
    return { path, problem: 'invalid', message };
  });
}

/** One line for an admin. Example: `'locales/so/sms-words.json: crisis.violence is empty: list at least one word'`. */
export function formatWordsIssue(file: string, issue: WordsIssue): string {
  return `${file}${issue.path ? `: ${issue.path}` : ''} ${issue.message}`;
}

/**
 * Reads and validates `<dir>/<lng>/sms-words.json` for each language, or throws one error listing every bad
 * entry by file and path ("locales/so/sms-words.json: crisis.violence is empty: list at least one word").
 */
export function readSmsWords<L extends string>(dir: string, locales: readonly L[]): Record<L, SmsWords> {
  const words: Partial<Record<L, SmsWords>> = {};
  const errors: string[] = [];
  for (const locale of locales) {
    // Named relative to the locales folder: the error is for a district admin, not about this machine.
    const file = `${basename(dir)}/${locale}/${SMS_WORDS_FILE}`;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(join(dir, locale, SMS_WORDS_FILE), 'utf8'));
    } catch (err) {
      const absent = (err as NodeJS.ErrnoException).code === 'ENOENT';
      errors.push(`${file} ${absent ? 'is missing' : `is not valid JSON (${(err as Error).message})`}`);
      continue;
    }
    const issues = smsWordsIssues(data);
    for (const i of issues) errors.push(formatWordsIssue(file, i));
    if (issues.length === 0) words[locale] = SmsWords.parse(data);
  }
  if (errors.length > 0)
    throw new Error(`family SMS words are invalid (see docs/sms.md):\n  ${errors.join('\n  ')}`);
  return words as Record<L, SmsWords>;
}
