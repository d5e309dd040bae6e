import { describe, expect, it } from 'vitest';
import { detectConcern, detectCrisis } from '../../src/sms/crisis.js';

// Crisis concepts: slots in one sentence, any order, negation as a slot; idioms calm; unclear → review.

describe('crisis concepts', () => {
  it.each([
    ['Ethan told me he doesnt want to be alive anymore', 'en', 'self_harm'],
    ['to be alive is not what he wants, he says', 'en', 'self_harm'],
    ['no quiere vivir', 'es', 'self_harm'],
    ['不想活了', 'zh', 'self_harm'],
    ['不想活了', 'en', 'self_harm'],
    ['他說要自殺', 'zh', 'self_harm'],
    ['ابنِي لا يُريدُ أن يعيش', 'ar', 'self_harm'],
    ['the babysitter slapped my baby', 'en', 'abuse_neglect'],
    ['NO TENEMOS NADA DE COMER', 'es', 'no_food'],
  ])('"%s" (%s) → %s', (text, locale, trigger) => {
    expect(detectCrisis(text, locale)?.trigger).toBe(trigger);
  });

  it('needs the slots in one sentence', () => {
    expect(detectCrisis('He does not want pizza. We live close to school.', 'en')).toBeUndefined();
  });

  it.each([
    ['this homework is killing me', 'en'],
    ['muerta de cansancio', 'es'],
    ['作业多得要死', 'zh'],
    ['domashka: домашка меня убивает', 'ru'],
    ['he hurt his knee at soccer', 'en'],
  ])('keeps the idiom "%s" calm', (text, locale) => {
    expect(detectCrisis(text, locale)).toBeUndefined();
  });

  it('a possible but unclear crisis is a concern for review, with its likely trigger', () => {
    expect(detectCrisis('tengo miedo por mi hijo', 'es')).toBeUndefined();
    expect(detectConcern('tengo miedo por mi hijo', 'es')).toEqual({
      trigger: 'abuse_neglect',
      locale: 'es',
    });
    expect(detectConcern('we had a nice week', 'en')).toBeUndefined();
  });
});
