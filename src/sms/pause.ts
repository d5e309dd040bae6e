import { type Locale, SUPPORTED_LOCALES } from '../vocabulary.js';
import { fold, isNoSpaceScript } from './normalize.js';
import { NUMBER_WORDS, PAUSE_WORDS } from './words.js';

// A family that is away, or busy for a while, can pause routine check-ins rather than stop them: "PAUSE",
// "PAUSA 3", "dừng 2 tuần", "暂停两周". A pause word alone pauses for the default; with a number it pauses that
// many weeks. Only a message that is nothing else is a pause, so "pause the meeting" stays a sentence.

/** Weeks of a pause with no number. */
export const DEFAULT_PAUSE_WEEKS = 4;
/** The longest pause a text can ask for: longer than a school term is an opt-out, not a pause. */
export const MAX_PAUSE_WEEKS = 12;

const words = (pick: (l: Locale) => string[]) =>
  new Set(
    SUPPORTED_LOCALES.flatMap(pick)
      .map((w) => fold(w))
      .filter(Boolean),
  );
const PAUSE = words((l) => PAUSE_WORDS[l].words);
const WEEKS = words((l) => PAUSE_WORDS[l].weeks);
const JOINERS = words((l) => PAUSE_WORDS[l].joiners);
const NUMBERS = new Map<string, number>();
for (const l of SUPPORTED_LOCALES)
  for (const [digit, list] of Object.entries(NUMBER_WORDS[l]))
    for (const w of list) if (!NUMBERS.has(fold(w))) NUMBERS.set(fold(w), Number(digit));
NUMBERS.set('十', 10);

/** Known words of a Han-script message, longest first, so "暂停两周" reads as 暂停 两 周. */
const HAN_WORDS = [...PAUSE, ...WEEKS, ...JOINERS, ...NUMBERS.keys()]
  .filter(isNoSpaceScript)
  .sort((a, b) => b.length - a.length);

function splitHan(token: string): string[] | undefined {
  const out: string[] = [];
  let rest = token;
  while (rest) {
    const digits = /^\d+/.exec(rest)?.[0];
    const w = digits ?? HAN_WORDS.find((h) => rest.startsWith(h));
    if (!w) return undefined;
    out.push(w);
    rest = rest.slice(w.length);
  }
  return out;
}

/**
 * The weeks a message asks to pause, or undefined when it is not a pause. `fillers` (politeness words) may
 * surround it. Example: `pauseWeeks('PAUSA 3', [])` → 3; `pauseWeeks('dừng 2 tuần', [])` → 2;
 * `pauseWeeks('pause', [])` → 4; `pauseWeeks('pause the meeting', [])` → undefined.
 */
export function pauseWeeks(body: string, fillers: Set<string>): number | undefined {
  const tokens = fold(body)
    .split(' ')
    .filter(Boolean)
    .flatMap((t) => (isNoSpaceScript(t) ? (splitHan(t) ?? [t]) : [t]));
  // Pause words may be two words ("tam dung"): join the leading tokens until one is known.
  let start = 0;
  while (start < tokens.length && fillers.has(tokens[start]!)) start += 1;
  let end = start + 1;
  while (end <= tokens.length && !PAUSE.has(tokens.slice(start, end).join(' '))) end += 1;
  if (end > tokens.length || end - start > 3) return undefined;
  let weeks: number | undefined;
  for (const t of tokens.slice(end)) {
    if (WEEKS.has(t) || JOINERS.has(t) || fillers.has(t)) continue;
    const n = /^\d+$/.test(t) ? Number(t) : NUMBERS.get(t);
    if (n === undefined || weeks !== undefined) return undefined;
    weeks = n;
  }
  if (weeks === undefined) return DEFAULT_PAUSE_WEEKS;
  return weeks >= 1 ? Math.min(weeks, MAX_PAUSE_WEEKS) : undefined;
}
