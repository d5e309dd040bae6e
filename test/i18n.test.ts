import { describe, expect, it } from 'vitest';
import { createTexts } from '../src/i18n/index.js';

const resources = {
  en: {
    family: { hello: 'Hello {{name}}', area: { food: 'food' }, need: 'Need: {{area}}' },
    common: { yes: 'Yes' },
  },
  es: { family: { hello: 'Hola {{name}}', area: { food: 'comida' }, need: 'Necesita: {{area}}' } },
  ar: { family: { hello: 'مرحبا {{name}}' } },
};

describe('texts', () => {
  it('renders in the requested language with params, including nested keys', () => {
    const texts = createTexts({ defaultLocale: 'en', resources });
    expect(texts.t('family.hello', 'es', { name: 'Ana' })).toEqual({ text: 'Hola Ana', fellBack: false });
    expect(texts.t('family.need', 'es', { area: { key: 'family.area.food' } }).text).toBe('Necesita: comida');
  });

  it('falls back to the default for a missing key, and counts it', () => {
    const texts = createTexts({ defaultLocale: 'en', resources });
    expect(texts.t('common.yes', 'es')).toEqual({ text: 'Yes', fellBack: true });
    expect(texts.counters.missingKey).toBe(1);
    expect(texts.counters.byKey['es:common.yes']).toBe(1);
  });

  it('falls back for an unknown language, and counts it; a regional tag uses its base language', () => {
    const texts = createTexts({ defaultLocale: 'en', resources });
    expect(texts.t('family.hello', 'xx', { name: 'A' })).toEqual({ text: 'Hello A', fellBack: true });
    expect(texts.counters.unknownLocale).toBe(1);
    expect(texts.t('family.hello', 'es-MX', { name: 'A' })).toEqual({ text: 'Hola A', fellBack: false });
    expect(texts.counters.unknownLocale).toBe(1);
  });

  it('renders a payload with choices and reports direction', () => {
    const texts = createTexts({ defaultLocale: 'en', resources });
    const r = texts.render(
      { key: 'family.hello', params: { name: 'Ali' }, choices: [{ id: '1', labelKey: 'common.yes' }] },
      'ar',
    );
    expect(r).toEqual({
      text: 'مرحبا Ali',
      choices: [{ id: '1', label: 'Yes' }],
      locale: 'ar',
      dir: 'rtl',
      fellBack: true,
    });
  });
});
