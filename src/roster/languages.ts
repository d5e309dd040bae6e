import { type Locale, SUPPORTED_LOCALES } from '../vocabulary.js';

/**
 * Names a student information system may put in a "home language" column, folded to lower case without
 * accents: English names, the language's own name, and ISO 639-2/3 codes. Chinese varieties map to 'zh'
 * because family texts are written Chinese, which Mandarin and Cantonese speakers both read.
 */
const NAME_LIST: Record<string, Locale> = {
  english: 'en',
  eng: 'en',
  spanish: 'es',
  espanol: 'es',
  castellano: 'es',
  spa: 'es',
  arabic: 'ar',
  العربية: 'ar',
  ara: 'ar',
  chinese: 'zh',
  mandarin: 'zh',
  cantonese: 'zh',
  中文: 'zh',
  汉语: 'zh',
  漢語: 'zh',
  普通话: 'zh',
  廣東話: 'zh',
  zho: 'zh',
  chi: 'zh',
  cmn: 'zh',
  yue: 'zh',
  vietnamese: 'vi',
  'tieng viet': 'vi',
  vie: 'vi',
  portuguese: 'pt',
  portugues: 'pt',
  por: 'pt',
  'haitian creole': 'ht',
  haitian: 'ht',
  'kreyol ayisyen': 'ht',
  kreyol: 'ht',
  creole: 'ht',
  hat: 'ht',
  somali: 'so',
  soomaali: 'so',
  som: 'so',
  russian: 'ru',
  русский: 'ru',
  rus: 'ru',
};

function fold(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/\(.*\)/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, ' ');
}

// Keys are folded like the values looked up: NFD strips the breve from 'й' in 'русский', for one.
const NAMES: Record<string, Locale> = Object.fromEntries(
  Object.entries(NAME_LIST).map(([k, v]) => [fold(k), v]),
);

/**
 * The supported locale a roster's language value stands for, or undefined when it names none.
 * Accepts codes ('es'), tags ('es-MX', 'zh_Hant'), names ('Spanish', 'español') and ISO 639-2 codes ('spa').
 */
export function localeFromRoster(value: string): Locale | undefined {
  const folded = fold(value);
  if (folded === '') return undefined;
  const primary = folded.split(/[-\s]/)[0] ?? '';
  if (
    (SUPPORTED_LOCALES as readonly string[]).includes(primary) &&
    /^[a-z]{2}([-][a-z0-9]{2,8})*$/.test(folded.replace(/ /g, '-'))
  )
    return primary as Locale;
  return NAMES[folded];
}
