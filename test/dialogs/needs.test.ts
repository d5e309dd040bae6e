import { describe, expect, it } from 'vitest';
import { resume, start } from '../../src/dialogs/engine.js';
import { matchNeedAreas, needLexicon, readNeedWords } from '../../src/dialogs/needs.js';
import type { DialogContext, Effect } from '../../src/dialogs/types.js';
import { familyNeedLexicon, getScript } from '../../src/scripts/index.js';
import { describe as line } from './golden-runner.js';

const lexicon = familyNeedLexicon();

describe('matchNeedAreas', () => {
  it.each([
    ['necesitamos comida', 'es', ['food_security']],
    ['we need food', 'en', ['food_security']],
    ['no internet at home', 'en', ['technology_access']],
    ['No hay internet en casa', 'es', ['technology_access']],
    ['الأكل', 'ar', ['food_security']],
    ['نحتاج طعام في البيت', 'ar', ['food_security']],
    ['我们需要食物', 'zh', ['food_security']],
    ['ở nhà không có đồ ăn', 'vi', ['food_security']],
    ['nou bezwen manje', 'ht', ['food_security']],
    ['нужна еда', 'ru', ['food_security']],
    ['we lost our home and need food', 'en', ['food_security', 'housing_stability']],
    ['wifi por favor', 'es-MX', ['technology_access']],
    ['sick, no food', 'xx', ['food_security', 'physical_health']],
  ])('%s (%s) → %j', (text, locale, areas) => {
    expect(matchNeedAreas(text, locale, lexicon)).toEqual(areas);
  });

  it.each([
    ['she is doing great', 'en'],
    ['3', 'en'],
    ['1,3', 'es'],
    ['something else', 'en'],
    ['otra cosa', 'es'],
    ['', 'en'],
  ])('finds nothing in %j (%s)', (text, locale) => {
    expect(matchNeedAreas(text, locale, lexicon)).toEqual([]);
  });

  it('covers the family areas a parent can name, never other', () => {
    expect(lexicon.areas.map((a) => a.area)).toEqual([
      'food_security',
      'housing_stability',
      'technology_access',
      'physical_health',
      'academic',
      'transportation',
    ]);
    expect(lexicon.placesKey).toBe('family.words.places');
    expect(JSON.parse(JSON.stringify(lexicon))).toEqual(lexicon);
  });

  it('reads no need words in a script without needs steps', () => {
    const nav = needLexicon(getScript('navigator-weekly'));
    expect(nav.areas.length).toBeGreaterThan(10);
    expect(readNeedWords('2 4', [{ id: 'food', words: ['food'] }], [])).toEqual([]);
  });
});

const family = getScript('family-weekly');
const navigator = getScript('navigator-weekly');

function context(locale: string, kind: 'family' | 'navigator' = 'family'): DialogContext {
  return {
    kind,
    participantId: 'P-1',
    locale,
    period: '2026-W48',
    programWeek: 5,
    students: [
      { id: 'S1', firstName: 'Ana', grade: '3' },
      { id: 'S2', firstName: 'Luis', grade: '7' },
    ],
  };
}

/** Replies one text after another and returns the effects of the last one, as golden lines. */
function replies(locale: string, ...texts: string[]): string[] {
  let { session } = start(family, context(locale), 0);
  let effects: Effect[] = [];
  for (const [i, text] of texts.entries())
    ({ session, effects } = resume(family, session, { kind: 'text', text }, i + 1));
  return effects.map(line);
}

describe('need words at the first family question', () => {
  it('hears "no internet at home" as hard + internet, without a housing need', () => {
    expect(replies('en', 'no internet at home')).toEqual([
      'answer how @S1 = "hard" raw="no internet at home"',
      'answer what @S1 = ["internet"] raw="no internet at home"',
      'need @S1 technology_access medium note="no internet at home"',
      'send how @S2 family.how name=Luis grade=7 [good|ok|hard]',
      'wait how 24h',
    ]);
  });

  it('hears Arabic "الأكل" and keeps the question as asked for each answer', () => {
    let { session } = start(family, context('ar'), 0);
    const { effects } = resume(family, session, { kind: 'text', text: 'الأكل' }, 1);
    const answers = effects.filter((e) => e.type === 'record_answer');
    expect(answers.map((a) => [a.stepId, a.value, a.question.key, a.rawText])).toEqual([
      ['how', 'hard', 'family.how', 'الأكل'],
      ['what', ['food'], 'family.what', 'الأكل'],
    ]);
    const need = effects.find((e) => e.type === 'record_need');
    expect(need).toMatchObject({
      studentId: 'S1',
      area: 'food_security',
      severity: 'high',
      answerText: 'الأكل',
    });
    expect(need?.type === 'record_need' && need.question?.key).toBe('family.what');
    ({ session } = resume(family, session, { kind: 'text', text: 'الأكل' }, 1));
    expect(session.answers).toEqual({ 'S1/how': 'hard', 'S1/what': ['food'] });
    expect(session.position).toMatchObject({ stepId: 'how', studentIndex: 1 });
  });

  it('hears need words after the question was asked again with a hint', () => {
    expect(replies('en', 'banana', 'we need food').slice(0, 3)).toEqual([
      'answer how @S1 = "hard" raw="we need food"',
      'answer what @S1 = ["food"] raw="we need food"',
      'need @S1 food_security high note="we need food"',
    ]);
  });

  it('reads "3 food" as hard with food: the number answers the question, not the needs list', () => {
    expect(replies('en', '3 food').slice(0, 3)).toEqual([
      'answer how @S1 = "hard" raw="3 food"',
      'answer what @S1 = ["food"] raw="3 food"',
      'need @S1 food_security high note="3 food"',
    ]);
  });

  it('asks what is hard when "hard" comes without need words', () => {
    expect(replies('es', 'difícil')).toEqual([
      'answer how @S1 = "hard" raw="difícil"',
      'send what @S1 family.what name=Ana grade=3 [food|housing|internet|health|school|transport|other]*',
      'wait what 24h',
    ]);
  });

  it('does not turn a good week into a need, nor buttons into words', () => {
    expect(replies('en', 'good, she likes school')).toEqual([
      'answer how @S1 = "good" raw="good, she likes school"',
      'send how @S2 family.how name=Luis grade=7 [good|ok|hard]',
      'wait how 24h',
    ]);
    const { session } = start(family, context('en'), 0);
    const { effects } = resume(family, session, { kind: 'choice', choiceIds: ['hard'] }, 1);
    expect(effects.map(line)[1]).toMatch(/^send what @S1/);
  });

  it('still ignores "at home" at the what question', () => {
    expect(replies('en', '3', 'no internet at home').slice(0, 2)).toEqual([
      'answer what @S1 = ["internet"] raw="no internet at home"',
      'need @S1 technology_access medium note="no internet at home"',
    ]);
  });

  it('infers nothing in the navigator script, whose needs checklist no single option leads to', () => {
    const { session } = start(navigator, context('en', 'navigator'), 0);
    const { effects } = resume(navigator, session, { kind: 'text', text: 'they need food' }, 1);
    expect(effects.some((e) => e.type === 'record_need')).toBe(false);
    expect(effects.map(line)[0]).toMatch(/^send connect @S1 navigator\.connect \+navigator\.hint/);
  });
});
