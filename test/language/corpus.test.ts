import { describe, expect, it } from 'vitest';
import { SUPPORTED_LOCALES } from '../../src/vocabulary.js';
import { evaluate, loadCorpora, read } from './evaluate.js';

// The labelled corpus is the product's contract with families: every sentence read as a person would read
// it, or listed as a known gap with its reason. A new miss fails here before it reaches a family.

const corpora = loadCorpora();

describe('language corpus', () => {
  it('has every supported language, each with enough crisis and everyday sentences and every kind', () => {
    expect(corpora.map((c) => c.language).sort()).toEqual([...SUPPORTED_LOCALES].sort());
    for (const c of corpora) {
      const count = (kind: string) => c.cases.filter((x) => x.kind === kind).length;
      expect(count('crisis'), c.language).toBeGreaterThanOrEqual(40);
      expect(count('everyday'), c.language).toBeGreaterThanOrEqual(40);
      for (const kind of ['optout', 'optin', 'pause', 'help', 'unclear', 'answer', 'need'])
        expect(count(kind), `${c.language} ${kind}`).toBeGreaterThan(0);
    }
  });

  it.each(corpora.map((c) => [c.language, c] as const))('%s: no miss outside the known gaps', (_, corpus) => {
    const e = evaluate(corpus);
    const unexpected = e.misses
      .filter((m) => !m.knownGap)
      .map((m) => `[${m.case.kind} → ${m.reading.kind} ${m.reading.detail}] ${m.case.text}`);
    expect(unexpected).toEqual([]);
    // A known gap that the product now reads right is no longer a gap: take it off the list.
    const missed = new Set(e.misses.map((m) => m.case.text));
    expect(Object.keys(corpus.knownGaps).filter((t) => !missed.has(t))).toEqual([]);
  });

  it.each(corpora.map((c) => [c.language, c] as const))(
    '%s: crisis recall 100% but for known gaps, false alarms at most 2%, opt-out recall 100%',
    (_, corpus) => {
      const e = evaluate(corpus);
      // A known gap is a miss the district has accepted with its reason; everything else must be heard.
      const hits = (kind: string) => e.table.get(kind)?.get(kind) ?? 0;
      const gaps = (kind: string) => e.misses.filter((m) => m.knownGap && m.case.kind === kind).length;
      expect(hits('crisis') + gaps('crisis')).toBe(e.counts.crisis);
      expect(hits('optout')).toBe(e.counts.optout);
      expect(e.falseAlarms / (e.counts.everyday ?? 1)).toBeLessThanOrEqual(0.02);
    },
  );

  it('reads a sentence as a whole: a crisis in one sentence of several is heard', () => {
    expect(read('Hi, thanks for the note. Ethan said he doesnt want to be alive. Call me', 'en')).toEqual({
      kind: 'crisis',
      detail: 'self_harm',
    });
  });
});
