import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { matchNeedAreas } from '../../src/dialogs/needs.js';
import { normalizeText } from '../../src/dialogs/parse.js';
import { familyNeedLexicon } from '../../src/scripts/index.js';
import { classifyInbound } from '../../src/sms/classify.js';
import { fold } from '../../src/sms/normalize.js';
import { numberReply } from '../../src/sms/number-words.js';
import { FILLER_WORDS } from '../../src/sms/words.js';
import { NEED_AREAS } from '../../src/vocabulary.js';

// The labelled corpus of family texts (test/language/corpus/<lng>.json) and how the product reads each
// sentence. The test and `npm run eval:language` share this, so the table a district sees is the one the
// tests hold the product to.

/** What a sentence is, as a person reading it would say. */
export const CASE_KINDS = [
  'crisis',
  'everyday',
  'optout',
  'optin',
  'pause',
  'help',
  'unclear',
  'answer',
  'need',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

const Case = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('crisis'), text: z.string(), trigger: z.string() }),
  z.object({ kind: z.literal('pause'), text: z.string(), weeks: z.number().int() }),
  z.object({ kind: z.literal('answer'), text: z.string(), digits: z.string() }),
  z.object({ kind: z.literal('need'), text: z.string(), areas: z.array(z.enum(NEED_AREAS)) }),
  z.object({ kind: z.enum(['everyday', 'optout', 'optin', 'help', 'unclear']), text: z.string() }),
]);
export type Case = z.infer<typeof Case>;

/** One language's corpus. `knownGaps` maps a sentence the product misreads to the reason it is accepted. */
export const Corpus = z.strictObject({
  language: z.string(),
  nativeSpeakerReviewed: z.boolean(),
  note: z.string(),
  knownGaps: z.record(z.string(), z.string()),
  cases: z.array(Case),
});
export type Corpus = z.infer<typeof Corpus>;

export const CORPUS_DIR = join(import.meta.dirname, 'corpus');

export function loadCorpora(dir = CORPUS_DIR): Corpus[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => Corpus.parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
}

const FILLER_TOKENS = FILLER_WORDS.map((w) => fold(w).split(' '));

/** How the product reads a text: the kind the inbound service acts on, with its detail. */
export interface Reading {
  kind: CaseKind | 'concern' | 'language' | 'other';
  detail: string;
}

/** The product's reading of one text from a family of `locale` that is active (not opted out). */
export function read(text: string, locale: string): Reading {
  const k = classifyInbound(text, locale);
  switch (k.kind) {
    case 'opt_out':
      return { kind: 'optout', detail: k.word };
    case 'opt_out_unclear':
      return { kind: 'unclear', detail: '' };
    case 'opt_in':
      // A weak word ("yes") from an active family is an answer, not an opt-in.
      return k.strong ? { kind: 'optin', detail: k.word } : { kind: 'other', detail: k.word };
    case 'pause':
      return { kind: 'pause', detail: String(k.weeks) };
    case 'help':
    case 'identity':
      return { kind: 'help', detail: k.kind };
    case 'crisis':
      return { kind: 'crisis', detail: k.trigger };
    case 'concern':
      return { kind: 'concern', detail: k.trigger };
    case 'language':
      return { kind: 'language', detail: k.locale ?? '' };
    case 'dialog': {
      const digits = numberReply(text, locale, FILLER_TOKENS) ?? digitsIn(text);
      if (digits) return { kind: 'answer', detail: digits };
      const areas = matchNeedAreas(text, locale, familyNeedLexicon());
      if (areas.length > 0) return { kind: 'need', detail: areas.join(',') };
      return { kind: 'other', detail: '' };
    }
  }
}

const digitsIn = (text: string) => (normalizeText(text).match(/\d+/g) ?? []).join(' ');

/** True when the reading is what the case expects. */
export function isRight(c: Case, r: Reading, locale: string): boolean {
  switch (c.kind) {
    case 'everyday':
      // Everyday sentences must not alarm nor stop the texts; a counselor's review (concern) is not an alarm.
      return r.kind !== 'crisis' && r.kind !== 'optout';
    case 'pause':
      return r.kind === 'pause' && r.detail === String(c.weeks);
    case 'answer':
      return r.kind === 'answer' && r.detail === c.digits;
    case 'need': {
      const areas = matchNeedAreas(c.text, locale, familyNeedLexicon());
      return (r.kind === 'need' || r.kind === 'concern') && c.areas.every((a) => areas.includes(a));
    }
    default:
      return r.kind === c.kind;
  }
}

/** A sentence the product misread. */
export interface Miss {
  language: string;
  case: Case;
  reading: Reading;
  knownGap?: string;
}

/** Per language: counts by expected kind × read kind, and the misses. */
export interface Evaluation {
  language: string;
  table: Map<string, Map<string, number>>;
  misses: Miss[];
  counts: Record<string, number>;
  falseAlarms: number;
  reviews: number;
}

export function evaluate(corpus: Corpus): Evaluation {
  const table = new Map<string, Map<string, number>>();
  const misses: Miss[] = [];
  const counts: Record<string, number> = {};
  let falseAlarms = 0;
  let reviews = 0;
  for (const c of corpus.cases) {
    const r = read(c.text, corpus.language);
    const row = table.get(c.kind) ?? new Map<string, number>();
    row.set(r.kind, (row.get(r.kind) ?? 0) + 1);
    table.set(c.kind, row);
    counts[c.kind] = (counts[c.kind] ?? 0) + 1;
    if (c.kind === 'everyday' && r.kind === 'crisis') falseAlarms += 1;
    if (c.kind === 'everyday' && r.kind === 'concern') reviews += 1;
    if (!isRight(c, r, corpus.language)) {
      const gap = corpus.knownGaps[c.text];
      misses.push({ language: corpus.language, case: c, reading: r, ...(gap ? { knownGap: gap } : {}) });
    }
  }
  return { language: corpus.language, table, misses, counts, falseAlarms, reviews };
}
