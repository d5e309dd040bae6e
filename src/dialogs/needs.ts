import {
  type Lexicon,
  lexiconWords,
  maskPhrases,
  normalizeText,
  type ParseOption,
  wordMatches,
} from './parse.js';
import { isChoiceStep, isMultiple, optionsOf, type Script, type ScriptOption, type Step } from './script.js';
import type { NeedArea } from './taxonomy.js';

// Need words heard wherever they are written: "necesitamos comida" in reply to "how is Ana doing?", or a text
// that arrives outside a check-in. The words are the needs step's option words in the locale files, so
// translators keep one list per language. Pure: no i18next, the words come with the script's lexicon.

/**
 * Options whose words may be read as a need outside their own question. 'Other' and "none of these" name no
 * need by themselves ("something else"), so they are only ever picked at the needs question itself.
 */
export function inferableNeedOptions(step: Step): ScriptOption[] {
  if (step.kind !== 'needs') return [];
  return optionsOf(step).filter((o) => o.need && o.need.area !== 'other' && !o.exclusive);
}

/**
 * The ids of the options named by words in a reply, with place phrases ("at home") blanked first and digits
 * ignored (a "3" answers the question asked, it does not pick the third need). Example:
 * `readNeedWords('no internet at home', options, ['at home'])` → `['internet']`.
 */
export function readNeedWords(text: string, options: ParseOption[], places: string[]): string[] {
  const folded = maskPhrases(normalizeText(text), places).replace(/\d+/g, ' ');
  return wordMatches(folded, options);
}

/**
 * The single-choice step's option that branches to a needs step of the same section ('hard' → 'what'), and
 * that needs step. Undefined when no option or several options do: then a need word cannot tell which
 * answer it stands for.
 */
export function needsBranch(
  steps: Step[],
  step: Step,
): { option: ScriptOption; needsStep: Step } | undefined {
  if (!isChoiceStep(step) || isMultiple(step)) return undefined;
  const leads = optionsOf(step).flatMap((option) => {
    const target = option.next ? steps.find((s) => s.id === option.next) : undefined;
    return target?.kind === 'needs' ? [{ option, needsStep: target }] : [];
  });
  return leads.length === 1 ? leads[0] : undefined;
}

/** The need words of a script, for reading texts outside a check-in. Plain data: store or pass it freely. */
export interface NeedLexicon {
  /** Per need area, the text keys holding its words (an option's label and synonyms). */
  areas: { area: NeedArea; keys: string[] }[];
  /** The text key of place phrases to ignore ("at home"), if the script has one. */
  placesKey?: string;
  words: Lexicon;
}

/** Collects the need words of every needs step of a script (family-weekly: food, housing, internet, ...). */
export function needLexicon(script: Script): NeedLexicon {
  const areas = new Map<NeedArea, string[]>();
  for (const step of script.sections.student)
    for (const option of inferableNeedOptions(step)) {
      const keys = areas.get(option.need!.area) ?? [];
      keys.push(option.labelKey, ...(option.wordsKey ? [option.wordsKey] : []));
      areas.set(option.need!.area, keys);
    }
  return {
    areas: [...areas].map(([area, keys]) => ({ area, keys: [...new Set(keys)] })),
    ...(script.words.places ? { placesKey: script.words.places } : {}),
    words: script.lexicon ?? {},
  };
}

/**
 * Need words of the other languages a family may mix in ("we need comida"): only words of five letters or
 * more (two Han characters), since short words collide across languages (Vietnamese "ăn", eat, folds to "an").
 */
function borrowedWords(lexicon: NeedLexicon, locale: string, key: string): string[] {
  const base = locale.split(/[-_]/)[0]?.toLowerCase() ?? locale;
  return Object.keys(lexicon.words)
    .filter((l) => l !== base && l !== 'en')
    .flatMap((l) => lexiconWords({ [l]: lexicon.words[l]! }, l, key))
    .filter((w) => (/\p{Script=Han}/u.test(w) ? [...w].length >= 2 : [...w].length >= 5));
}

/**
 * The need areas a text names, in the sender's language and English, plus the longer need words of the other
 * languages (families mix them), in taxonomy order of the script.
 * Example: `matchNeedAreas('necesitamos comida', 'es', lexicon)` → `['food_security']`;
 * `matchNeedAreas('we need comida', 'en', lexicon)` → `['food_security']`; no need words → `[]`.
 */
export function matchNeedAreas(text: string, locale: string, lexicon: NeedLexicon): NeedArea[] {
  const { options, places } = needWordsIn(locale, lexicon);
  return readNeedWords(text, options, places) as NeedArea[];
}

/**
 * The need words a text in `locale` is read against, built once per lexicon and locale: they are the same for
 * every text, and building them (every language's words, folded) cost more than reading a text.
 */
const needWordsByLexicon = new WeakMap<
  NeedLexicon,
  Map<string, { options: ParseOption[]; places: string[] }>
>();

function needWordsIn(locale: string, lexicon: NeedLexicon): { options: ParseOption[]; places: string[] } {
  let byLocale = needWordsByLexicon.get(lexicon);
  if (!byLocale) {
    byLocale = new Map();
    needWordsByLexicon.set(lexicon, byLocale);
  }
  let words = byLocale.get(locale);
  if (!words) {
    words = buildNeedWords(locale, lexicon);
    byLocale.set(locale, words);
  }
  return words;
}

function buildNeedWords(locale: string, lexicon: NeedLexicon): { options: ParseOption[]; places: string[] } {
  const options: ParseOption[] = lexicon.areas.map(({ area, keys }) => ({
    id: area,
    words: [
      ...new Set(
        keys.flatMap((k) => [
          ...lexiconWords(lexicon.words, locale, k),
          ...borrowedWords(lexicon, locale, k),
        ]),
      ),
    ],
  }));
  const places = lexicon.placesKey ? lexiconWords(lexicon.words, locale, lexicon.placesKey) : [];
  return { options, places };
}
