import type { Locale } from '../vocabulary.js';

// The two word lists that are not one language's words, so they stay in code rather than in a district's
// locales/<lng>/sms-words.json: Twilio's keywords are a carrier contract that must work whatever the files
// say, and the language list is one text every family sees, each language named in itself.

/** Twilio's default opt-out words (long codes and toll-free), which Twilio itself also acts on. */
export const TWILIO_OPT_OUT_WORDS = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
] as const;

// A record, so that adding a language to SUPPORTED_LOCALES does not compile until it has its name here.
const ENDONYMS: Record<Locale, string> = {
  en: 'ENGLISH',
  es: 'ESPAÑOL',
  ar: 'العربية',
  zh: '中文',
  vi: 'TIẾNG VIỆT',
  pt: 'PORTUGUÊS',
  ht: 'KREYÒL',
  so: 'SOOMAALI',
  ru: 'РУССКИЙ',
};

/** Each language's own name, for the list sent in answer to LANGUAGE / IDIOMA. */
export const LANGUAGE_ENDONYMS: string[] = Object.values(ENDONYMS);
