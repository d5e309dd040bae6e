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

// Families on phones set up in Taiwan or Hong Kong type traditional characters; the words files are written in
// simplified. A table of the characters that occur in family texts about school, stopping and crises is
// enough: this is matching, not conversion.
const TRADITIONAL: Record<string, string> = Object.fromEntries(
  [
    ...'請謝訊簡傳發給這誰們個來對說沒錢飯餓殺槍傷險警擊殘輕結愛媽爺學習時間問題幫護醫藥車睡裡無處趕們兒實話聽過還嗎麼讓體會動們暫週禮與為樣認識號碼刪除訂閱條復開別再數兩貳壹陸',
  ].map((t, i) => [
    t,
    '请谢讯简传发给这谁们个来对说没钱饭饿杀枪伤险警击残轻结爱妈爷学习时间问题帮护医药车睡里无处赶们儿实话听过还吗么让体会动们暂周礼与为样认识号码删除订阅条复开别再数两贰壹陆'[
      i
    ]!,
  ]),
);

/** Scripts written without spaces between words: phrases there match as plain substrings. */
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Folds text for matching: NFKC (full-width ＳＴＯＰ is STOP), lower case, common traditional Chinese
 * characters as simplified, combining marks removed (accents, Arabic harakat, hamza
 * seats), a few extra letters mapped, and anything that is not a letter or digit turned into a single space.
 * Example: `fold('  ¡ESPAÑOL! 🙂 ')` → `'espanol'`; `fold('Tiếng Việt')` → `'tieng viet'`.
 */
export function fold(text: string): string {
  const decomposed = text.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  let out = '';
  for (const ch of decomposed) out += EXTRA_FOLDS[ch] ?? TRADITIONAL[ch] ?? ch;
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
