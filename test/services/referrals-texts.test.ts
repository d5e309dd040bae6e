import { describe, expect, it } from 'vitest';
import { smsSegments } from '../../src/dialogs/sms.js';
import { createTexts, flattenKeys, loadLocaleResources } from '../../src/i18n/index.js';
import { followUpKey } from '../../src/services/referral-follow-up.js';
import { NEED_AREAS, SUPPORTED_LOCALES } from '../../src/vocabulary.js';

const resources = loadLocaleResources();

describe('referral texts', () => {
  it('the follow-up question exists in all nine languages for every need area, short enough for two SMS segments', () => {
    const texts = createTexts({ defaultLocale: 'en', resources });
    for (const locale of SUPPORTED_LOCALES)
      for (const area of NEED_AREAS) {
        const { text, fellBack } = texts.t(followUpKey(area), locale);
        expect([locale, area, fellBack]).toEqual([locale, area, false]);
        expect(text).toMatch(/1\D+2/);
        expect([locale, area, smsSegments(text).segments <= 2]).toEqual([locale, area, true]);
      }
  });

  it('mental health and safety are not named on a lock screen', () => {
    expect(followUpKey('mental_emotional_wellbeing')).toBe('family.referral_followup.other');
    expect(followUpKey('safety')).toBe('family.referral_followup.other');
    expect(followUpKey('food_security')).toBe('family.referral_followup.food_security');
  });

  it('the answer words exist in every language; every staff referral text exists in English and Spanish', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const words = resources[locale]?.family?.referral_followup_words as Record<string, string> | undefined;
      expect([locale, Boolean(words?.yes), Boolean(words?.not_yet)]).toEqual([locale, true, true]);
    }
    const staffKeys = (locale: string) =>
      flattenKeys(resources[locale]?.staff ?? {}).filter((k) => k.startsWith('referral'));
    expect(staffKeys('en').length).toBeGreaterThan(20);
    expect(staffKeys('es')).toEqual(staffKeys('en'));
  });
});
