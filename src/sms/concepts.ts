import { containsPhrase, fold, foldKeepingAccents } from './normalize.js';

// A concept is how a meaning is heard whatever the wording: a few slots (who, a verb family, what; a negation
// is a slot too), each a list of alternatives, that must all occur in one sentence, in any order. Crisis
// wording and opt-out sentences are both written this way in locales/<lng>/sms-words.json.

/** One alternative of a slot, folded; `exact` keeps accents ("=tự tử"); a trailing `*` matches word endings. */
export interface Alternative {
  text: string;
  exact: boolean;
}
export type Slot = Alternative[];
export type Concept = Slot[];

export function alternative(raw: string): Alternative {
  const exact = raw.startsWith('=');
  const body = exact ? raw.slice(1) : raw;
  const folded = exact ? foldKeepingAccents(body) : fold(body);
  return { text: body.trim().endsWith('*') ? `${folded}*` : folded, exact };
}

/** Compiles slots written as `"want*|wanna"`. Example: `compileConcept(['not|never', 'alive|live'])`. */
export function compileConcept(slots: string[]): Concept {
  return slots.map((slot) =>
    slot
      .split('|')
      .map(alternative)
      .filter((a) => a.text.replace('*', '') !== ''),
  );
}

/** A sentence in the two forms alternatives are matched against. */
export interface Sentence {
  folded: string;
  accented: string;
}

const SENTENCE_END = /[.!?;\n。！？；…]+|\s[-–—]\s/u;

/**
 * The sentences of a text, folded, with `calm` applied to each (crisis matching blanks idioms out first).
 * Example: `sentences('Hi. He wants to die', (s) => s)` → two sentences.
 */
export function sentences(body: string, calm: (folded: string) => string = (s) => s): Sentence[] {
  return body
    .split(SENTENCE_END)
    .map((s) => ({ folded: calm(fold(s)), accented: foldKeepingAccents(s) }))
    .filter((s) => s.folded !== '');
}

export const matches = (s: Sentence, a: Alternative): boolean =>
  containsPhrase(a.exact ? s.accented : s.folded, a.text);

/** True when every slot of the concept has an alternative in the sentence. */
export const fills = (s: Sentence, concept: Concept): boolean =>
  concept.every((slot) => slot.some((a) => matches(s, a)));
