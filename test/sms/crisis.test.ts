import { describe, expect, it } from 'vitest';
import { classifyInbound } from '../../src/sms/classify.js';

// Real sentences families write, per language, and the trigger each must raise. The guardian's language is
// the sentence's language, as it is in production.
const CRISIS: Array<[locale: string, text: string, trigger: string]> = [
  ['en', 'my son wants to hurt himself', 'self_harm'],
  ['en', 'she is hurting herself again', 'self_harm'],
  ['en', 'she tried to hurt herself last night', 'self_harm'],
  ['en', 'she wants to end her life', 'self_harm'],
  ['en', "he says he doesn't want to live anymore", 'self_harm'],
  ['en', 'he hit me', 'abuse_neglect'],
  ['en', 'my boyfriend is hitting us', 'abuse_neglect'],
  ['en', 'someone touched my daughter', 'abuse_neglect'],
  ['en', "we don't have any food at home", 'no_food'],
  ['en', 'we have nowhere to live after friday', 'housing_loss'],
  ['es', 'no tenemos que comer', 'no_food'],
  ['es', 'mi hija se quiere lastimar', 'self_harm'],
  ['es', 'quiere acabar con su vida', 'self_harm'],
  ['es', 'mi esposo me golpea', 'abuse_neglect'],
  ['es', 'un señor tocó a mi hija', 'abuse_neglect'],
  ['es', 'no tenemos a dónde ir', 'housing_loss'],
  ['pt', 'não temos o que comer', 'no_food'],
  ['pt', 'ele me bateu ontem', 'abuse_neglect'],
  ['vi', 'chồng đánh em', 'abuse_neglect'],
  ['vi', 'nhà tôi không có gì để ăn', 'no_food'],
  ['zh', '我们没有地方住', 'housing_loss'],
  ['zh', '我们没有饭吃', 'no_food'],
  ['ar', 'ابني يؤذي نفسه', 'self_harm'],
  ['ar', 'ليس لدينا طعام', 'no_food'],
  ['ht', 'nou pa gen kote pou nou rete', 'housing_loss'],
  ['ht', 'mari m frape mwen', 'abuse_neglect'],
  ['so', 'cunto ma lihin', 'no_food'],
  ['so', 'wuu i garaacay', 'abuse_neglect'],
  ['ru', 'муж ударил меня', 'abuse_neglect'],
  ['ru', 'нам негде жить', 'housing_loss'],
];

// Ordinary check-in answers that must stay in the dialog.
const ORDINARY: Array<[locale: string, text: string]> = [
  ['en', 'it was hard'],
  ['en', 'he hurt his knee at soccer'],
  ['en', 'she hit her head at recess but she is fine'],
  ['en', 'he beat me at chess lol'],
  ['en', 'hit me up after the meeting'],
  ['en', 'no food allergies'],
  ['en', 'we need help with food'],
  ['en', 'hard week, rent is late'],
  ['es', 'fue difícil'],
  ['es', 'se lastimó la rodilla jugando fútbol'],
  ['es', 'mi hijo me pegó la gripa'],
  ['es', 'necesitamos comida'],
  ['pt', 'foi uma semana difícil'],
  ['vi', 'bố không có ở nhà'],
  ['zh', '我们没有家庭作业'],
  ['zh', '没有食物过敏'],
  ['ar', 'الأسبوع كان صعبا'],
  ['ru', 'было трудно'],
];

describe('crisis wording in real sentences', () => {
  for (const [locale, text, trigger] of CRISIS)
    it(`${locale}: "${text}" → ${trigger}`, () => {
      expect(classifyInbound(text, locale)).toMatchObject({ kind: 'crisis', trigger });
    });

  it('has at least 4 sentences for en and es and 2 for every other language', () => {
    const per = new Map<string, number>();
    for (const [l] of CRISIS) per.set(l, (per.get(l) ?? 0) + 1);
    for (const l of ['en', 'es']) expect(per.get(l)).toBeGreaterThanOrEqual(4);
    for (const l of ['pt', 'vi', 'zh', 'ar', 'ht', 'so', 'ru']) expect(per.get(l)).toBeGreaterThanOrEqual(2);
  });
});

describe('ordinary answers raise no alarm', () => {
  for (const [locale, text] of ORDINARY)
    it(`${locale}: "${text}"`, () => {
      expect(classifyInbound(text, locale).kind).not.toBe('crisis');
    });
});
