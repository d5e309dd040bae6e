// Text folding shared by the keyword and crisis layers. Families text from every kind of phone: some
// keyboards add accents, some drop them, some add emoji or punctuation. We compare folded forms so that
// "Español", "espanol" and "ESPAÑOL!!" are the same word, and "STOP 🙏" is STOP.

/** Letters NFD does not decompose but people type without the mark. */
const EXTRA_FOLDS: Record<string, string> = {
  đ: 'd',
  ð: 'd',
  ø: 'o',
  ł: 'l',
  ß: 'ss',
  // Arabic: teh marbuta and alef maqsura are often typed as heh and yeh.
  ة: 'ه',
  ى: 'ي',
  // Arabic tatweel (a stretching stroke, no meaning).
  ـ: '',
};

/** Scripts written without spaces between words: phrases there match as plain substrings. */
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Folds text for matching: NFKC, lower case, combining marks removed (accents, Arabic harakat, hamza
 * seats), a few extra letters mapped, and anything that is not a letter or digit turned into a single space.
 * Example: `fold('  ¡ESPAÑOL! 🙂 ')` → `'espanol'`; `fold('Tiếng Việt')` → `'tieng viet'`.
 */
export function fold(text: string): string {
  const decomposed = text.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  let out = '';
  for (const ch of decomposed) out += EXTRA_FOLDS[ch] ?? ch;
  return out
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Lower-cased NFC text with punctuation turned into spaces, accents kept (for diacritic-sensitive phrases). */
export function foldKeepingAccents(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the phrase is in a script written without spaces (Chinese). */
export function isNoSpaceScript(phrase: string): boolean {
  return NO_SPACE_SCRIPT.test(phrase);
}

/**
 * Finds a folded phrase inside folded text. Space-separated scripts match whole words (a trailing `*`
 * matches any word ending: `suicid*` finds "suicidal"); Chinese matches as a substring.
 */
export function containsPhrase(foldedText: string, foldedPhrase: string): boolean {
  if (!foldedPhrase) return false;
  if (isNoSpaceScript(foldedPhrase)) return foldedText.includes(foldedPhrase);
  const padded = ` ${foldedText} `;
  if (foldedPhrase.endsWith('*')) return padded.includes(` ${foldedPhrase.slice(0, -1)}`);
  return padded.includes(` ${foldedPhrase} `);
}
