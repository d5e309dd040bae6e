import { type Locale, SUPPORTED_LOCALES } from '../vocabulary.js';
import {
  type Alternative,
  alternative,
  type Concept,
  compileConcept,
  fills,
  matches,
  type Sentence,
  sentences,
} from './concepts.js';
import { fold, isNoSpaceScript } from './normalize.js';
import { CRISIS_TRIGGERS, type CrisisTrigger } from './word-files.js';
import { CONCERN_WORDS, CRISIS_CONCEPTS, CRISIS_PHRASES, NOT_CRISIS } from './words.js';

// Crisis wording is heard as concepts, not fixed strings: a concept is a few slots (who, a verb family, what;
// a negation is a slot too) that must all occur in one sentence, in any order. "Ethan told me he doesn't
// want to be alive anymore" fills [not][want][alive] without anyone having listed that sentence. Everyday
// idioms that borrow crisis words ("this homework is killing me", 作业多得要死) are blanked out first. A text
// with a crisis-sounding word and no concept is not dropped either: it goes to a counselor for review.

/** A phrase of the phrase lists is a concept of one slot with one alternative. */
function phraseConcept(phrase: string): Concept {
  return [[alternative(phrase)]];
}

interface LocaleCrisis {
  locale: Locale;
  byTrigger: { trigger: CrisisTrigger; concepts: Concept[]; shortWords: Concept[] }[];
  /** Concern words with their trigger; `short` ones count in their own language only. */
  concern: { trigger: CrisisTrigger; word: Alternative; short: boolean }[];
}

/** A single short word ("gun", "arma") says little across languages: it counts in its own language only. */
function isShortWord(phrase: string): boolean {
  const bare = fold(phrase.replace(/^=/, '')).replace(/\*$/, '');
  return !isNoSpaceScript(bare) && !bare.includes(' ') && [...bare].length <= 4;
}

const COMPILED: LocaleCrisis[] = SUPPORTED_LOCALES.map((locale) => ({
  locale,
  byTrigger: CRISIS_TRIGGERS.map((trigger) => {
    const phrases = CRISIS_PHRASES[locale][trigger];
    return {
      trigger,
      concepts: [
        ...CRISIS_CONCEPTS[locale][trigger].map(compileConcept),
        ...phrases.filter((p) => !isShortWord(p)).map(phraseConcept),
      ],
      shortWords: phrases.filter(isShortWord).map(phraseConcept),
    };
  }),
  concern: CRISIS_TRIGGERS.flatMap((trigger) =>
    CONCERN_WORDS[locale][trigger].map((w) => ({ trigger, word: alternative(w), short: isShortWord(w) })),
  ),
}));

const CALM: string[] = SUPPORTED_LOCALES.flatMap((l) => NOT_CRISIS[l] ?? [])
  .map((p) => fold(p))
  .filter(Boolean)
  .sort((a, b) => b.length - a.length);

/** Blanks out everyday phrases that contain crisis words ("beat me at chess"), as whole words. */
function withoutIdioms(folded: string): string {
  let padded = ` ${folded} `;
  for (const p of CALM) {
    const needle = isNoSpaceScript(p) ? p : ` ${p} `;
    while (padded.includes(needle)) padded = padded.replace(needle, ' | ');
  }
  return padded.trim();
}

const sentencesOf = (body: string): Sentence[] => sentences(body, withoutIdioms);

const SCRIPT_LOCALES: [RegExp, Locale][] = [
  [/\p{Script=Han}/u, 'zh'],
  [/\p{Script=Arabic}/u, 'ar'],
  [/\p{Script=Cyrillic}/u, 'ru'],
];

/**
 * The languages whose concepts are tried: the family's own, English and Spanish (the languages families
 * mix in most), any language whose script the text is written in, and every language for a sender whose
 * language is unknown. Latin-script languages share short words ("bat", "la", "me"), so trying all of them
 * on every text would alarm on ordinary answers.
 */
function languagesFor(body: string, guardianLocale?: string | null): Set<Locale> {
  const own = guardianLocale?.split(/[-_]/)[0]?.toLowerCase();
  if (!own || !(SUPPORTED_LOCALES as readonly string[]).includes(own)) return new Set(SUPPORTED_LOCALES);
  const set = new Set<Locale>([own as Locale, 'en', 'es']);
  for (const [script, locale] of SCRIPT_LOCALES) if (script.test(body)) set.add(locale);
  return set;
}

/** A crisis heard in a text: the gravest trigger found and the language whose words matched. */
export interface CrisisHeard {
  trigger: CrisisTrigger;
  locale: Locale;
}

/**
 * The gravest crisis concept any sentence of the text fills, or undefined. Example:
 * `detectCrisis('Ethan told me he doesnt want to be alive anymore', 'en')` → `{ trigger: 'self_harm', locale: 'en' }`;
 * `detectCrisis('this homework is killing me', 'en')` → undefined.
 */
export function detectCrisis(body: string, guardianLocale?: string | null): CrisisHeard | undefined {
  const parts = sentencesOf(body);
  if (parts.length === 0) return undefined;
  const languages = languagesFor(body, guardianLocale);
  const own = guardianLocale?.split(/[-_]/)[0]?.toLowerCase();
  for (const trigger of CRISIS_TRIGGERS)
    for (const lc of COMPILED) {
      if (!languages.has(lc.locale)) continue;
      const group = lc.byTrigger.find((g) => g.trigger === trigger)!;
      const concepts = lc.locale === own ? [...group.concepts, ...group.shortWords] : group.concepts;
      if (parts.some((s) => concepts.some((c) => fills(s, c)))) return { trigger, locale: lc.locale };
    }
  return undefined;
}

/**
 * A word that may be about a crisis in a text that fills no crisis concept ("I'm scared for my son"), with the
 * trigger it hints at, or undefined. Such a text goes to a counselor to review, not urgently. Example:
 * `detectConcern('tengo miedo por mi hijo', 'es')` → `{ trigger: 'abuse_neglect', locale: 'es' }`.
 */
export function detectConcern(body: string, guardianLocale?: string | null): CrisisHeard | undefined {
  const parts = sentencesOf(body);
  const languages = languagesFor(body, guardianLocale);
  const own = guardianLocale?.split(/[-_]/)[0]?.toLowerCase();
  for (const lc of COMPILED) {
    if (!languages.has(lc.locale)) continue;
    for (const c of lc.concern) {
      if (c.short && lc.locale !== own) continue;
      if (parts.some((s) => matches(s, c.word))) return { trigger: c.trigger, locale: lc.locale };
    }
  }
  return undefined;
}
