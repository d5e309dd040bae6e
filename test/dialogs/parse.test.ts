import { describe, expect, it } from 'vitest';
import { maskPhrases, normalizeText, parseReply, wordMatches } from '../../src/dialogs/parse.js';

const how = [
  { id: 'good', words: ['good', 'bien'] },
  { id: 'ok', words: ['ok', 'so so'] },
  { id: 'hard', words: ['hard', 'not good', '不好', 'трудно'] },
];
const single = { multiple: false };
const multi = { multiple: true };

describe('parseReply', () => {
  it.each([
    ['1', ['good']],
    [' 1.', ['good']],
    ['３', ['hard']],
    ['٣', ['hard']],
    ['BIEN', ['good']],
    ['Bíen!', ['good']],
    ['not good', ['hard']],
    ['不好', ['hard']],
    ['Трудно', ['hard']],
    ['3 - hard', ['hard']],
  ])('reads %j as %j', (text, ids) => {
    expect(parseReply(text, how, single)).toEqual({ kind: 'options', ids });
  });

  it.each(['1,3', '1 3', '1 and 3', 'good and hard', '1, hard'])(
    'reads %j as two options when several may be picked',
    (text) => {
      expect(parseReply(text, how, multi)).toEqual({ kind: 'options', ids: ['good', 'hard'] });
    },
  );

  it.each(['1,3', '7', '0', 'banana', '', '   ', 'goodness'])('cannot read %j as one option', (text) => {
    expect(parseReply(text, how, single)).toEqual({ kind: 'unreadable' });
  });

  it('maps numbers to ids on a scale, and recognises skip and idea words', () => {
    const scale = ['1', '2', '3', '4', '5'].map((id) => ({ id, words: [] }));
    expect(parseReply('4', scale, single)).toEqual({ kind: 'options', ids: ['4'] });
    expect(parseReply('Skip', how, { multiple: false, skipWords: ['skip'] })).toEqual({ kind: 'skip' });
    expect(parseReply('an idea please', how, { multiple: false, ideaWords: ['idea'] })).toEqual({
      kind: 'idea',
    });
  });

  it('folds case, accents and Arabic letter variants, keeping Han characters', () => {
    expect(normalizeText(' Comída  Đồ ăn ')).toBe('comida do an');
    expect(normalizeText('الأكل')).toBe(normalizeText('الاكل'));
    expect(normalizeText('食物')).toBe('食物');
    expect(normalizeText('жильё')).toBe('жилье');
  });
});

describe('maskPhrases and wordMatches', () => {
  it('blanks whole place phrases only', () => {
    expect(maskPhrases('no internet at home', ['at home'])).toBe('no internet');
    expect(maskPhrases('homework at homeless', ['at home'])).toBe('homework at homeless');
    expect(maskPhrases('ở nhà không có đồ ăn', ['ở nhà'])).toBe('không có đồ ăn');
    expect(maskPhrases('我们在家没有网络', ['在家'])).toBe('我们 没有网络');
    expect(maskPhrases('no wifi 👍 at home', ['at home'])).toBe('no wifi 👍');
  });

  it('lets the longer match win and keeps the options order', () => {
    const opts = [
      { id: 'food', words: ['food'] },
      { id: 'housing', words: ['home', 'no home'] },
      { id: 'school', words: ['homework'] },
    ];
    expect(wordMatches('homework and food', opts)).toEqual(['food', 'school']);
    expect(wordMatches('no home', opts)).toEqual(['housing']);
    expect(wordMatches('nothing', opts)).toEqual([]);
  });
});
