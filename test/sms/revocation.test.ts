import { describe, expect, it } from 'vitest';
import { classifyInbound } from '../../src/sms/classify.js';
import { numberReply } from '../../src/sms/number-words.js';
import { pauseWeeks } from '../../src/sms/pause.js';
import { editDistance, likelyMisspelling } from '../../src/sms/spelling.js';

// The ways families say stop, pause, "who is this?" and numbers that are not the textbook keyword. The corpus
// (test/language) measures these at scale; here each rule has its edge spelled out.

describe('misspelt keywords', () => {
  it('allows one slip in five to eight letters, two from nine, and repeated letters at any length', () => {
    const keys = new Set(['unsubscribe', 'cancel', 'stop']);
    expect(likelyMisspelling('unsuscribe', keys)).toBe('unsubscribe');
    expect(likelyMisspelling('unsubscirbe', keys)).toBe('unsubscribe');
    expect(likelyMisspelling('cancle', keys)).toBe('cancel');
    expect(likelyMisspelling('stooop', keys)).toBe('stop');
    expect(likelyMisspelling('shop', keys)).toBeUndefined();
    expect(likelyMisspelling('camels', keys)).toBeUndefined();
    expect(editDistance('kitten', 'sitting', 5)).toBe(3);
  });

  it('reads a misspelt opt-out only when it is the whole message and no other keyword', () => {
    expect(classifyInbound('unsuscribe', 'en')).toMatchObject({ kind: 'opt_out' });
    expect(classifyInbound('Stopp!', 'en')).toMatchObject({ kind: 'opt_out' });
    expect(classifyInbound('i will cancle the appointment', 'en').kind).not.toBe('opt_out');
    expect(classifyInbound('start', 'en')).toMatchObject({ kind: 'opt_in' });
  });
});

describe('opt-out and opt-in in sentences', () => {
  it.each([
    ['please stop texting me', 'en'],
    ['take me off this list', 'en'],
    ['dejen de mandarme mensajes', 'es'],
    ['请不要再发短信给我', 'zh'],
    ['fadlan jooji fariimaha', 'so'],
    ['pa voye m mesaj anko', 'ht'],
  ])('"%s" (%s) opts out', (text, locale) => {
    expect(classifyInbound(text, locale).kind).toBe('opt_out');
  });

  it('a negation before the sentence keeps the texts coming', () => {
    expect(classifyInbound("please don't stop texting me", 'en').kind).not.toBe('opt_out');
  });

  it('asks rather than guesses on a maybe-opt-out, and answers "who is this?"', () => {
    expect(classifyInbound('way too many texts', 'en')).toEqual({ kind: 'opt_out_unclear' });
    expect(classifyInbound('numero equivocado', 'es')).toEqual({ kind: 'opt_out_unclear' });
    expect(classifyInbound('hi who is this?', 'en')).toEqual({ kind: 'identity' });
    expect(classifyInbound('ai vay', 'vi')).toEqual({ kind: 'identity' });
  });

  it('opts in with words', () => {
    expect(classifyInbound('quiero volver a recibir los mensajes', 'es')).toMatchObject({
      kind: 'opt_in',
      strong: true,
    });
    expect(classifyInbound('no quiero recibir mensajes', 'es').kind).toBe('opt_out');
  });
});

describe('PAUSE', () => {
  const none = new Set<string>();
  it.each([
    ['PAUSE', 4],
    ['PAUSA 3', 3],
    ['pause for two weeks', 2],
    ['dừng 2 tuần', 2],
    ['暂停两周', 2],
    ['пауза три недели', 3],
    ['pause 40', 12],
  ])('"%s" pauses %i weeks', (text, weeks) => {
    expect(pauseWeeks(text, none)).toBe(weeks);
  });

  it('is a pause only when the message is nothing else; DỪNG alone is still an opt-out', () => {
    expect(pauseWeeks('pause the meeting please', none)).toBeUndefined();
    expect(pauseWeeks('pause 0', none)).toBeUndefined();
    expect(classifyInbound('Dừng', 'vi').kind).toBe('opt_out');
    expect(classifyInbound('Dừng 2 tuần', 'vi')).toEqual({ kind: 'pause', weeks: 2 });
  });
});

describe('number words', () => {
  const fillers = [['por', 'favor'], ['please'], ['спасибо']];
  it.each([
    ['dos', 'es', '2'],
    ['dos por favor', 'es', '2'],
    ['uno y tres', 'es', '1 3'],
    ['hai', 'vi', '2'],
    ['二', 'zh', '2'],
    ['اثنان', 'ar', '2'],
    ['dois', 'pt', '2'],
    ['de', 'ht', '2'],
    ['en', 'ht', '1'],
    ['laba', 'so', '2'],
    ['два', 'ru', '2'],
    ['two please', 'es', '2'],
  ])('"%s" (%s) → %s', (text, locale, digits) => {
    expect(numberReply(text, locale, fillers)).toBe(digits);
  });

  it('leaves sentences and plain digits alone', () => {
    expect(numberReply('de nada', 'es', fillers)).toBeUndefined();
    expect(numberReply('2', 'es', fillers)).toBeUndefined();
    expect(numberReply('one more thing', 'en', fillers)).toBeUndefined();
  });
});
