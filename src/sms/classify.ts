import { type Locale, SUPPORTED_LOCALES } from '../vocabulary.js';
import { containsPhrase, fold, foldKeepingAccents, isNoSpaceScript } from './normalize.js';
import { CRISIS_TRIGGERS, type CrisisTrigger } from './word-files.js';
import {
  CRISIS_PHRASES,
  FILLER_WORDS,
  HELP_WORDS,
  LANGUAGE_LIST_WORDS,
  LANGUAGE_NAMES,
  NOT_CRISIS,
  OPT_IN_WORDS,
  OPT_OUT_WORDS,
} from './words.js';

/**
 * What an inbound SMS is, before the dialog sees it. Example: `classifyInbound('Stop!', 'en')` →
 * `{ kind: 'opt_out', word: 'stop' }`; `classifyInbound('necesito ayuda, no tenemos comida', 'es')` →
 * `{ kind: 'crisis', trigger: 'no_food', locale: 'es' }`.
 */
export type InboundKind =
  | { kind: 'opt_out'; word: string }
  /** `strong` words (START, UNSTOP) always opt in; weak ones (YES, SÍ) only when the guardian is opted out. */
  | { kind: 'opt_in'; word: string; strong: boolean }
  | { kind: 'help'; locale?: Locale }
  /** `locale` undefined: the guardian asked for the list of languages. */
  | { kind: 'language'; locale?: Locale }
  /** `locale`: the language whose phrase list matched (replies still go in the guardian's language). */
  | { kind: 'crisis'; trigger: CrisisTrigger; locale: Locale }
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

/** `ownLanguageOnly`: a short single word, counted only for guardians of that language. */
type CompiledPhrase = { folded: string; exact: boolean; ownLanguageOnly: boolean };

function compilePhrase(p: string): CompiledPhrase {
  const exact = p.startsWith('=');
  const folded = exact ? foldKeepingAccents(p.slice(1)) : p.endsWith('*') ? `${fold(p)}*` : fold(p);
  const bare = folded.replace(/\*$/, '');
  const ownLanguageOnly = !isNoSpaceScript(bare) && !bare.includes(' ') && [...bare].length <= 4;
  return { folded, exact, ownLanguageOnly };
}
const CRISIS: { trigger: CrisisTrigger; locale: Locale; phrases: CompiledPhrase[] }[] =
  CRISIS_TRIGGERS.flatMap((trigger) =>
    ALL.map((locale) => ({
      trigger,
      locale,
      phrases: CRISIS_PHRASES[locale][trigger].map(compilePhrase),
    })),
  );

const NOT_CRISIS_FOLDED: string[] = ALL.flatMap((l) => NOT_CRISIS[l] ?? [])
  .map((p) => fold(p))
  .filter(Boolean);

/** Blanks out everyday phrases that contain crisis words ("beat me at chess"), as whole words. */
function withoutEverydayPhrases(folded: string): string {
  let padded = ` ${folded} `;
  for (const p of NOT_CRISIS_FOLDED) {
    const needle = isNoSpaceScript(p) ? p : ` ${p} `;
    while (padded.includes(needle)) padded = padded.replace(needle, ' | ');
  }
  return padded.trim();
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

/** Finds the first crisis trigger whose phrase occurs in the message, or undefined. */
export function detectCrisis(
  body: string,
  guardianLocale?: string | null,
): { trigger: CrisisTrigger; locale: Locale } | undefined {
  const folded = withoutEverydayPhrases(fold(body));
  const accented = foldKeepingAccents(body);
  const own = guardianLocale?.split(/[-_]/)[0]?.toLowerCase();
  for (const group of CRISIS) {
    for (const p of group.phrases) {
      if (p.ownLanguageOnly && group.locale !== own) continue;
      if (containsPhrase(p.exact ? accented : folded, p.folded))
        return { trigger: group.trigger, locale: group.locale };
    }
  }
  return undefined;
}

/**
 * Classifies an inbound SMS. Keywords match only the WHOLE message (after folding case, accents,
 * punctuation and emoji, and dropping politeness words at the ends): "STOP", "stop!!", "Stop please 🙏"
 * opt out, "I want to stop by the school" does not. Crisis wording matches anywhere in the message and
 * wins over everything except an exact opt-out word. Keywords from every supported language are
 * recognised whatever the guardian's language, because families switch languages freely; only short
 * single-word crisis terms are limited to the guardian's own language (see `crisis` in word-files.ts).
 */
export function classifyInbound(body: string, guardianLocale?: string | null): InboundKind {
  const tokens = toTokens(fold(body));
  const plain = stripEdges(tokens, FILLERS);
  for (const c of candidates(plain)) if (OPT_OUT.has(c)) return { kind: 'opt_out', word: c };

  const crisis = detectCrisis(body, guardianLocale);
  if (crisis) return { kind: 'crisis', ...crisis };

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
  return { kind: 'dialog' };
}
