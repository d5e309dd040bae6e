import { type Locale, SUPPORTED_LOCALES } from '../vocabulary.js';
import { fold, isNoSpaceScript } from './normalize.js';
import { NUMBER_WORDS } from './words.js';

// Families answer "Reply 1 Good, 2 OK, 3 Hard" with "dos", "hai", "二" or "два" as often as with "2". The
// dialog engine reads digits; this turns a reply made only of number words into digits first. Only a reply
// that is nothing but numbers (and "and", "please") is rewritten: "de" is Haitian for 2 and Spanish for
// "of", so a number word inside a sentence stays a word.

// "and" between numbers, and the words people put before one ("option 2", "la dos", "số hai", "номер 2").
const JOINERS = new Set(
  [
    'and',
    'y',
    'e',
    'et',
    'ak',
    'iyo',
    'va',
    'и',
    'و',
    '和',
    'or',
    'o',
    'ou',
    'или',
    'the',
    'la',
    'el',
    'option',
    'opcion',
    'opcao',
    'number',
    'numero',
    'nimewo',
    'số',
    'номер',
    'вариант',
    'رقم',
    'الرقم',
    'lambar',
  ].map((w) => fold(w)),
);
/** Han characters around a numeral that do not change it: 第二 (the second), 两个 (two of them). */
const HAN_JOINERS = new Set(['第', '个', '号', '位']);

function tableFor(locales: Iterable<Locale>): Map<string, string> {
  const table = new Map<string, string>();
  for (const l of locales)
    for (const [digit, words] of Object.entries(NUMBER_WORDS[l]))
      for (const w of words) if (!table.has(fold(w))) table.set(fold(w), digit);
  return table;
}

const ALL_NO_SPACE = tableFor(SUPPORTED_LOCALES.filter((l) => l === 'zh'));
const TABLES = new Map<Locale, Map<string, string>>(
  SUPPORTED_LOCALES.map((l) => [l, tableFor(new Set<Locale>([l, 'en']))]),
);

/** The digits of a token: itself when it is digits, a number word's digit, or each Han numeral in turn. */
function digitsOf(token: string, table: Map<string, string>): string[] | undefined {
  if (/^\d+$/.test(token)) return [token];
  const word = table.get(token);
  if (word) return [word];
  if (!isNoSpaceScript(token)) return undefined;
  const out: string[] = [];
  for (const ch of token) {
    if (HAN_JOINERS.has(ch)) continue;
    const d = ALL_NO_SPACE.get(ch);
    if (!d) return undefined;
    out.push(d);
  }
  return out;
}

/**
 * The reply as digits when it is only numbers in words (the family's language or English), else undefined.
 * `fillers` are politeness words allowed around it. Example: `numberReply('dos por favor', 'es', fillers)` →
 * `'2'`; `numberReply('uno y tres', 'es', [])` → `'1 3'`; `numberReply('de nada', 'es', [])` → undefined.
 */
export function numberReply(
  body: string,
  locale: string | null | undefined,
  fillers: string[][],
): string | undefined {
  const own = (locale ?? 'en').split(/[-_]/)[0]!.toLowerCase() as Locale;
  const table = TABLES.get(own) ?? TABLES.get('en')!;
  let padded = ` ${fold(body)} `;
  // A filler that is a number in this language stays a number: Haitian "en" is 1, Spanish "en" is "in".
  for (const f of [...fillers].sort((a, b) => b.length - a.length)) {
    if (f.length === 1 && table.has(f[0]!)) continue;
    const needle = ` ${f.join(' ')} `;
    while (padded.includes(needle)) padded = padded.replace(needle, ' ');
  }
  const tokens = padded.split(' ').filter(Boolean);
  const digits: string[] = [];
  let words = 0;
  for (const t of tokens) {
    if (JOINERS.has(t)) continue;
    const d = digitsOf(t, table);
    if (!d) return undefined;
    if (!/^\d+$/.test(t)) words += 1;
    digits.push(...d);
  }
  return words > 0 && digits.length > 0 ? digits.join(' ') : undefined;
}
