import { describe, expect, it } from 'vitest';
import { loadLocaleResources } from '../../src/i18n/index.js';
import { checkScripts, formatProblem } from '../../src/scripts/check.js';
import { allScripts, getScript, SCRIPT_IDS, SCRIPT_SOURCES } from '../../src/scripts/index.js';

const resources = loadLocaleResources();
// Scripts are edited as loose JSON here, the way a district would edit the data by hand.
// biome-ignore lint/suspicious/noExplicitAny: deliberately malformed script data
const family = (): any => structuredClone(SCRIPT_SOURCES.find((s) => s.id === 'family-weekly')!);

describe('scripts check', () => {
  it('finds no problem in the shipped scripts and texts', () => {
    expect(checkScripts(SCRIPT_SOURCES, resources).map(formatProblem)).toEqual([]);
  });

  it('loads every shipped script by id', () => {
    expect(
      allScripts()
        .map((s) => s.id)
        .sort(),
    ).toEqual([...SCRIPT_IDS].sort());
    expect(getScript('family-weekly').lexicon?.es?.['family.words.food']).toContain('comida');
    expect(() => getScript('nope')).toThrow(/unknown script/);
  });

  it('reports a schema error with its path', () => {
    const bad = family();
    bad.sections.student[0].options[0].need = { area: 'snacks' };
    expect(checkScripts([bad], resources).map(formatProblem).join('\n')).toMatch(
      /family-weekly schema: sections\.student\.0\.options\.0\.need\.area: /,
    );
  });

  it('reports an unreachable step and a branch to nowhere', () => {
    const bad = family();
    bad.sections.student[0].options[2].next = 'end';
    bad.sections.outro[0].next = 'gone';
    const lines = checkScripts([bad], resources).map(formatProblem);
    expect(lines).toContain("family-weekly/what unreachable: step 'what' (student) can never be reached");
    expect(lines).toContain(
      "family-weekly/call bad_target: step 'call' goes to 'gone', which is not a step of the outro section",
    );
  });

  it('reports a wait without a timeout path', () => {
    const bad = family();
    bad.defaults = {};
    bad.sections.student[0].timeoutMs = 1000;
    const lines = checkScripts([bad], resources).map(formatProblem);
    expect(lines).toContain(
      "family-weekly/how no_timeout: step 'how' waits for a reply but has no timeout path (timeoutMs and onTimeout)",
    );
    expect(lines.filter((l) => l.includes('no_timeout'))).toHaveLength(3);
  });

  it('reports a text missing in one language', () => {
    const less = structuredClone(resources);
    delete (less.so!.family as Record<string, unknown>).thanks;
    expect(checkScripts(SCRIPT_SOURCES, less).map(formatProblem)).toEqual([
      "family-weekly [so] missing_text: text 'family.thanks' is missing in 'so'",
    ]);
  });

  it('reports a family text longer than three SMS segments, with its encoding', () => {
    const long = structuredClone(resources);
    (long.ru!.family as Record<string, string>).thanks = 'Спасибо. '.repeat(23);
    expect(checkScripts(SCRIPT_SOURCES, long).map(formatProblem)).toEqual([
      "family-weekly/thanks [ru] sms_too_long: family.thanks in 'ru' takes 4 SMS segments (UCS-2, 207 units); at most 3",
    ]);
  });

  it('reports a place phrase that is also a need word (it could never be read)', () => {
    const clash = structuredClone(resources);
    (clash.ht!.family as { words: Record<string, string> }).words.places = 'lwaye, nan kay la';
    expect(checkScripts(SCRIPT_SOURCES, clash).map(formatProblem)).toEqual([
      "family-weekly/what [ht] ambiguous_word: 'lwaye' is both a place phrase (family.words.places) and a word for 'housing' in step 'what' (ht): it would never be read",
    ]);
  });

  it('reports place phrases missing in one language', () => {
    const less = structuredClone(resources);
    delete (less.zh!.family as { words: Record<string, string> }).words.places;
    expect(checkScripts(SCRIPT_SOURCES, less).map(formatProblem)).toEqual([
      "family-weekly [zh] missing_text: text 'family.words.places' is missing in 'zh'",
    ]);
  });

  it('reports a synonym that means two options of one question', () => {
    const clash = structuredClone(resources);
    (clash.pt!.family as { words: Record<string, string> }).words.ok = 'mais ou menos, bem';
    expect(checkScripts(SCRIPT_SOURCES, clash).map(formatProblem)).toEqual([
      "family-weekly/how [pt] ambiguous_word: 'bem' means both 'good' and 'ok' in step 'how' (pt)",
    ]);
  });
});
