import { type Locale, SUPPORTED_LOCALES } from '../vocabulary.js';
import { compileConcept, fills, matches, sentences } from './concepts.js';
import { detectConcern, detectCrisis } from './crisis.js';
import { containsPhrase, fold } from './normalize.js';
import { pauseWeeks } from './pause.js';
import { likelyMisspelling } from './spelling.js';
import type { CrisisTrigger } from './word-files.js';
import {
  FILLER_WORDS,
  HELP_WORDS,
  IDENTITY_PHRASES,
  LANGUAGE_LIST_WORDS,
  LANGUAGE_NAMES,
  OPT_IN_PHRASES,
  OPT_IN_WORDS,
  OPT_OUT_CONCEPTS,
  OPT_OUT_MAYBE,
  OPT_OUT_PHRASES,
  OPT_OUT_WORDS,
} from './words.js';

/**
 * What an inbound SMS is, before the dialog sees it. Example: `classifyInbound('Stop!', 'en')` →
 * `{ kind: 'opt_out', word: 'stop' }`; `classifyInbound('necesito ayuda, no tenemos comida', 'es')` →
 * `{ kind: 'crisis', trigger: 'no_food', locale: 'es' }`.
 */
export type InboundKind =
  /** `word`: the keyword or phrase heard (folded), which tells whether the carrier acted on it too. */
  | { kind: 'opt_out'; word: string }
  /** Maybe "stop texting me" ("too many texts"): asked once whether they want to stop. */
  | { kind: 'opt_out_unclear' }
  /** Routine check-ins paused for `weeks` ("PAUSA 3"). */
  | { kind: 'pause'; weeks: number }
  /** "Who is this?": answered with who texts and how to stop. */
  | { kind: 'identity' }
  /** A word that may be about a crisis, in a text that fills no crisis concept: a counselor reviews it. */
  | { kind: 'concern'; trigger: CrisisTrigger; locale: Locale }
  /** `strong` words (START, UNSTOP) always opt in; weak ones (YES, SÍ) only when the guardian is opted out. */
  | { kind: 'opt_in'; word: string; strong: boolean }
  | { kind: 'help'; locale?: Locale }
  /** `locale` undefined: the guardian asked for the list of languages. */
  | { kind: 'language'; locale?: Locale }
  /**
   * `locale`: the language whose words matched (replies still go in the guardian's language). `alsoStop`: the
   * same text also asks to stop the texts ("stop texting me, my husband beats me"): both are honoured.
   */
  | { kind: 'crisis'; trigger: CrisisTrigger; locale: Locale; alsoStop?: true }
  | { kind: 'dialog' };

type Tokens = string[];
const toTokens = (folded: string): Tokens => (folded ? folded.split(' ') : []);

function buildSet(words: Iterable<string>): Set<string> {
  const set = new Set<string>();
  for (const w of words) {
    const f = fold(w);
    if (f) {
      set.add(f);
      set.add(f.replace(/ /g, ''));
    }
  }
  return set;
}

const ALL = SUPPORTED_LOCALES;
const OPT_OUT = buildSet(ALL.flatMap((l) => OPT_OUT_WORDS[l]));
const OPT_IN_STRONG = buildSet(ALL.flatMap((l) => OPT_IN_WORDS[l].strong));
const OPT_IN_WEAK = buildSet(ALL.flatMap((l) => OPT_IN_WORDS[l].weak));
const HELP = new Map<string, Locale>();
const LANGUAGE = new Map<string, Locale>();
for (const l of ALL) {
  for (const w of HELP_WORDS[l]) HELP.set(fold(w), l);
  for (const w of LANGUAGE_NAMES[l]) {
    LANGUAGE.set(fold(w), l);
    LANGUAGE.set(fold(w).replace(/ /g, ''), l);
  }
}
const LANGUAGE_LIST = buildSet(LANGUAGE_LIST_WORDS);
const FILLERS: Tokens[] = FILLER_WORDS.map((w) => toTokens(fold(w))).sort((a, b) => b.length - a.length);
const LIST_FILLERS: Tokens[] = LANGUAGE_LIST_WORDS.map((w) => toTokens(fold(w)));

/** Folded phrases; a trailing `*` is kept, so "dejen de mandar*" also hears "dejen de mandarme". */
const phrases = (lists: Record<Locale, string[]>) =>
  ALL.flatMap((l) => lists[l])
    .map((w) => (w.trim().endsWith('*') ? `${fold(w)}*` : fold(w)))
    .filter((w) => w !== '' && w !== '*');
const OPT_OUT_SENTENCES = phrases(OPT_OUT_PHRASES);
const OPT_OUT_UNCLEAR = phrases(OPT_OUT_MAYBE);
const OPT_IN_SENTENCES = phrases(OPT_IN_PHRASES);
const IDENTITY = phrases(IDENTITY_PHRASES);
const FILLER_SET = new Set(FILLERS.filter((f) => f.length === 1).map((f) => f[0]!));
/** Every whole-message keyword that is not an opt-out: a near miss of STOP must not be one of these. */
const OTHER_KEYWORDS = new Set([
  ...OPT_IN_STRONG,
  ...OPT_IN_WEAK,
  ...HELP.keys(),
  ...LANGUAGE.keys(),
  ...LANGUAGE_LIST,
]);

const anywhere = (folded: string, list: string[]) => list.some((p) => containsPhrase(folded, p));

// "Don't stop texting me" keeps the texts coming: a negation just before an opt-out sentence cancels it.
const NEGATIONS = [
  'don t',
  'dont',
  'do not',
  'never',
  'no',
  'not',
  'nao',
  'не',
  'pa',
  'đừng',
  'لا',
  'ما',
  'مش',
].map(fold);

const negatedAt = (padded: string, at: number) => {
  const before = padded.slice(0, at).trim();
  return NEGATIONS.some((n) => before === n || before.endsWith(` ${n}`));
};

/** True when an opt-out sentence occurs and is not negated ("please don't stop texting me"). */
function saysStop(folded: string): boolean {
  const padded = ` ${folded} `;
  return OPT_OUT_SENTENCES.some((p) => {
    if (!containsPhrase(folded, p)) return false;
    const at = padded.indexOf(` ${p.replace(/\*$/, '')}`);
    return at < 0 || !negatedAt(padded, at);
  });
}

const STOP_CONCEPTS = ALL.flatMap((l) => OPT_OUT_CONCEPTS[l]).map(compileConcept);

/**
 * True when a sentence fills an opt-out concept ("I don't want to receive these messages", "ارجو عدم ارسال
 * رسائل") and its first slot is not negated ("don't stop the texts").
 */
function meansStop(body: string): boolean {
  return sentences(body).some((s) =>
    STOP_CONCEPTS.some((c) => {
      if (!fills(s, c)) return false;
      const padded = ` ${s.folded} `;
      const first = c[0]!.find((a) => matches(s, a))!;
      const at = padded.indexOf(` ${first.text.replace(/\*$/, '')}`);
      return at < 0 || !negatedAt(padded, at);
    }),
  );
}

/** True when an opt-in sentence is said negated ("لا اريد استلام رسائل", I do not want to receive): a stop. */
function negatedStart(folded: string): boolean {
  const padded = ` ${folded} `;
  return OPT_IN_SENTENCES.some((p) => {
    const at = padded.indexOf(` ${p.replace(/\*$/, '')}`);
    return at >= 0 && negatedAt(padded, at);
  });
}

const startsWith = (t: Tokens, p: Tokens) =>
  p.length > 0 && p.length <= t.length && p.every((w, i) => t[i] === w);
const endsWith = (t: Tokens, p: Tokens) =>
  p.length > 0 && p.length <= t.length && p.every((w, i) => t[t.length - p.length + i] === w);

/** Removes politeness and similar words at either end: "STOP PLEASE" → "stop". */
function stripEdges(tokens: Tokens, fillers: Tokens[]): Tokens {
  let t = tokens;
  let changed = true;
  while (changed && t.length > 0) {
    changed = false;
    for (const f of fillers) {
      if (f.length >= t.length) continue;
      if (startsWith(t, f)) {
        t = t.slice(f.length);
        changed = true;
      } else if (endsWith(t, f)) {
        t = t.slice(0, t.length - f.length);
        changed = true;
      }
    }
  }
  return t;
}

/** The message as one keyword candidate, spaced and unspaced ("opt out" / "optout"). */
function candidates(tokens: Tokens): string[] {
  if (tokens.length === 0) return [];
  const spaced = tokens.join(' ');
  return [spaced, tokens.join('')];
}

/**
 * Classifies an inbound SMS, in this order:
 * 1. an opt-out keyword that is the WHOLE message (after folding case, accents, punctuation and emoji, and
 *    dropping politeness words at the ends): "STOP", "stop!!", "Stop please 🙏";
 * 2. crisis concepts anywhere (crisis.ts): they win over everything but a plain STOP;
 * 3. whole-message opt-in, HELP and language keywords, then PAUSE with its weeks;
 * 4. a misspelt opt-out keyword ("unsuscribe", "stopp"), then opt-out said in a sentence ("please take me
 *    off this list"), then opt-in said in a sentence ("quiero volver a recibir los mensajes");
 * 5. "who is this?", then a maybe-opt-out ("too many texts"), then a word of concern;
 * 6. anything else is for the dialog (or the navigator).
 * Words of every supported language are recognised whatever the guardian's language, because families switch
 * languages freely; crisis concepts are limited as crisis.ts explains.
 */
export function classifyInbound(body: string, guardianLocale?: string | null): InboundKind {
  const folded = fold(body);
  const tokens = toTokens(folded);
  const plain = stripEdges(tokens, FILLERS);
  for (const c of candidates(plain)) if (OPT_OUT.has(c)) return { kind: 'opt_out', word: c };

  const crisis = detectCrisis(body, guardianLocale);
  if (crisis)
    return saysStop(folded) || meansStop(body)
      ? { kind: 'crisis', ...crisis, alsoStop: true }
      : { kind: 'crisis', ...crisis };

  for (const c of candidates(plain)) {
    if (OPT_IN_STRONG.has(c)) return { kind: 'opt_in', word: c, strong: true };
    if (OPT_IN_WEAK.has(c)) return { kind: 'opt_in', word: c, strong: false };
    const help = HELP.get(c);
    if (help) return { kind: 'help', locale: help };
  }

  if (plain.length > 0) {
    const joined = plain.join(' ');
    if (LANGUAGE_LIST.has(joined) || LANGUAGE_LIST.has(plain.join(''))) return { kind: 'language' };
    const named = stripEdges(stripEdges(plain, LIST_FILLERS), FILLERS);
    for (const c of candidates(named)) {
      const locale = LANGUAGE.get(c);
      if (locale) return { kind: 'language', locale };
    }
  }

  const weeks = pauseWeeks(body, FILLER_SET);
  if (weeks !== undefined) return { kind: 'pause', weeks };

  if (plain.length === 1 && !OTHER_KEYWORDS.has(plain[0]!)) {
    const near = likelyMisspelling(plain[0]!, OPT_OUT);
    if (near) return { kind: 'opt_out', word: plain[0]! };
  }
  if (saysStop(folded) || meansStop(body) || negatedStart(folded))
    return { kind: 'opt_out', word: joinedOf(plain) };
  if (anywhere(folded, OPT_IN_SENTENCES)) return { kind: 'opt_in', word: joinedOf(plain), strong: true };
  if (anywhere(folded, IDENTITY)) return { kind: 'identity' };
  if (anywhere(folded, OPT_OUT_UNCLEAR)) return { kind: 'opt_out_unclear' };
  const concern = detectConcern(body, guardianLocale);
  if (concern) return { kind: 'concern', ...concern };
  return { kind: 'dialog' };
}

const joinedOf = (tokens: Tokens) => tokens.join(' ');
