// Forgiving reading of typed replies: '1', ' 1.', '1,3', '1 3', '1 and 3', option words or synonyms in the
// recipient's language, any case, with or without accents. Pure: the words come with the script's lexicon.

/** An option as the parser sees it: its id and its words, already in the recipient's language. */
export interface ParseOption {
  id: string;
  words: string[];
}

/** What a typed reply means. */
export type ParsedReply =
  | { kind: 'options'; ids: string[] }
  | { kind: 'skip' }
  | { kind: 'idea' }
  | { kind: 'unreadable' };

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Folds a text for comparison: NFKC (full-width digits → ASCII), Arabic-Indic digits → ASCII, lower case,
 * accents removed (NFD, combining marks dropped; 'đ' → 'd'), Arabic letter variants unified, spaces collapsed.
 * Han characters and Arabic letters stay as they are. Example: `normalizeText(' Comída ') === 'comida'`.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/ı/g, 'i')
    .replace(/\u0640/g, '') // Arabic tatweel
    .replace(/\u0649/g, '\u064a') // alef maksura → yeh
    .replace(/\u0629/g, '\u0647') // teh marbuta → heh
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim();
}

interface Span {
  id: string;
  start: number;
  end: number;
}

function findWord(haystack: string, word: string, id: string): Span[] {
  const spans: Span[] = [];
  const free = CJK.test(word);
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(word, from);
    if (at < 0) break;
    const before = haystack[at - 1];
    const after = haystack[at + word.length];
    const bounded = free || ((!before || !WORD_CHAR.test(before)) && (!after || !WORD_CHAR.test(after)));
    if (bounded) spans.push({ id, start: at, end: at + word.length });
    from = at + 1;
  }
  return spans;
}

function containsAny(haystack: string, words: string[]): boolean {
  return words.some((w) => findWord(haystack, w, '').length > 0);
}

/**
 * The options whose words occur in an already folded text, in the options' order. Where one match lies inside
 * a longer one, the longer wins ("not good" beats "good"). Example: `wordMatches('no food', opts)` → `['food']`.
 */
export function wordMatches(folded: string, options: ParseOption[]): string[] {
  const ids = new Set(wordSpans(folded, options).map((s) => s.id));
  return options.map((o) => o.id).filter((id) => ids.has(id));
}

function wordSpans(folded: string, options: ParseOption[]): Span[] {
  const spans = options.flatMap((o) => o.words.flatMap((w) => findWord(folded, w, o.id)));
  return spans.filter(
    (s) =>
      !spans.some(
        (o) => o !== s && o.start <= s.start && o.end >= s.end && o.end - o.start > s.end - s.start,
      ),
  );
}

/**
 * Blanks out phrases in a folded text, so that their words are not read as answers: 'at home' in
 * "no internet at home" names where, not a housing need. Example: `maskPhrases('no wifi at home', ['at home'])`
 * → `'no wifi'`.
 */
export function maskPhrases(folded: string, phrases: string[]): string {
  const spans = phrases.flatMap((p) => findWord(folded, p, ''));
  if (spans.length === 0) return folded;
  const chars = [...folded];
  // findWord indexes UTF-16 units; rebuild by units so astral characters stay whole.
  let out = '';
  let unit = 0;
  for (const c of chars) {
    out += spans.some((s) => unit >= s.start && unit < s.end) ? ' ' : c;
    unit += c.length;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * Reads a typed reply against a step's options. Numbers pick options by position (or by id when every id is
 * a number, as on a scale); words pick by synonyms, the longest match winning ("not good" beats "good").
 * A single-choice reply naming two different options, or a number out of range, is unreadable.
 */
export function parseReply(
  text: string,
  options: ParseOption[],
  settings: { multiple: boolean; skipWords?: string[]; ideaWords?: string[] },
): ParsedReply {
  const folded = normalizeText(text);
  if (folded.length === 0) return { kind: 'unreadable' };
  const numericIds = options.every((o) => /^\d+$/.test(o.id));

  const chosen = new Set<string>();
  const numberSpans: Span[] = [];
  for (const m of folded.matchAll(/\d+/g)) {
    const n = Number(m[0]);
    const option = numericIds ? options.find((o) => o.id === String(n)) : options[n - 1];
    if (!option) return { kind: 'unreadable' };
    numberSpans.push({ id: option.id, start: m.index, end: m.index + m[0].length });
  }

  for (const s of [...numberSpans, ...wordSpans(folded, options)]) chosen.add(s.id);

  if (chosen.size === 0) {
    if (settings.skipWords && containsAny(folded, settings.skipWords)) return { kind: 'skip' };
    if (settings.ideaWords && containsAny(folded, settings.ideaWords)) return { kind: 'idea' };
    return { kind: 'unreadable' };
  }
  const ids = options.map((o) => o.id).filter((id) => chosen.has(id));
  if (!settings.multiple && ids.length > 1) return { kind: 'unreadable' };
  return { kind: 'options', ids };
}

/** Words per locale and text key, built from the locale files at load: `{ es: { 'family.words.food': [...] } }`. */
export type Lexicon = Record<string, Record<string, string[]>>;

/**
 * The folded words for a text key in a locale ('es-MX' falls back to 'es'), plus the English words, since
 * families mix languages ("wifi", "ok"). Example: `lexiconWords(lex, 'es', 'family.words.food')` → `['comida', ...]`.
 */
export function lexiconWords(lexicon: Lexicon | undefined, locale: string, key: string): string[] {
  const all = lexicon ?? {};
  const base = locale.split(/[-_]/)[0]?.toLowerCase() ?? locale;
  const own = all[locale]?.[key] ?? all[base]?.[key] ?? [];
  const en = base === 'en' ? [] : (all.en?.[key] ?? []);
  return [...own, ...en].map(foldedWord).filter((w) => w.length > 0);
}

/** Folded lexicon words by their written form: the lexicons are a few thousand words, read on every text. */
const foldedWords = new Map<string, string>();
const FOLDED_WORDS_KEPT = 50_000;

/** `normalizeText` of a lexicon word, remembered (a word folds the same every time; folding is the cost). */
function foldedWord(word: string): string {
  let folded = foldedWords.get(word);
  if (folded === undefined) {
    if (foldedWords.size >= FOLDED_WORDS_KEPT) foldedWords.clear();
    folded = normalizeText(word);
    foldedWords.set(word, folded);
  }
  return folded;
}
