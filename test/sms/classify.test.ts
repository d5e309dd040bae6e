import { describe, expect, it } from 'vitest';
import { classifyInbound } from '../../src/sms/classify.js';
import { fold } from '../../src/sms/normalize.js';
import { OPT_OUT_WORDS } from '../../src/sms/words.js';
import { SUPPORTED_LOCALES } from '../../src/vocabulary.js';

/** Opt-out words as families type them, per language. */
const OPT_OUT_TABLE: Record<string, string[]> = {
  en: [
    'STOP',
    'stop',
    ' Stop. ',
    'STOP!!!',
    'stop 🙏',
    'STOPALL',
    'Unsubscribe',
    'CANCEL',
    'end',
    'Quit',
    'REVOKE',
    'OPTOUT',
    'opt out',
    'Opt-Out',
    'STOP PLEASE',
    'please stop',
    'stop all',
  ],
  es: ['PARAR', 'Para', 'ALTO', 'cancelar', 'Baja', 'Detener', 'no más mensajes', 'parar por favor'],
  pt: ['PARAR', 'Sair', 'cancelar', 'pare'],
  vi: ['DỪNG', 'dung', 'Ngừng', 'hủy', 'huy dang ky'],
  zh: ['停止', '退订', '取消', 'TD'],
  ar: ['توقف', 'إلغاء', 'الغاء الاشتراك', 'ايقاف'],
  ht: ['RETE', 'kanpe', 'sispann', 'ARRÊT'],
  so: ['JOOJI', 'joogso', 'iska jooji'],
  ru: ['СТОП', 'стоп!', 'Отписаться', 'отмена'],
};

describe('opt-out words', () => {
  it('has a row for every supported language', () => {
    expect(Object.keys(OPT_OUT_TABLE).sort()).toEqual([...SUPPORTED_LOCALES].sort());
  });
  for (const [locale, words] of Object.entries(OPT_OUT_TABLE)) {
    it(`recognises ${locale} opt-out words whatever the guardian's language`, () => {
      for (const w of words) {
        expect(classifyInbound(w, locale).kind, w).toBe('opt_out');
        expect(classifyInbound(w, 'en').kind, w).toBe('opt_out');
      }
    });
  }
  it('every listed word, folded, is an opt-out on its own', () => {
    for (const locale of SUPPORTED_LOCALES)
      for (const w of OPT_OUT_WORDS[locale])
        expect(classifyInbound(w, locale).kind, `${locale}:${w}`).toBe('opt_out');
  });
  it('only the whole message counts: a keyword inside a sentence is not an opt-out', () => {
    for (const text of [
      'I want to stop by the school',
      "Don't stop texting me",
      'the end of the week is hard',
      'para mi hijo es difícil',
      'can you cancel the meeting on friday',
    ])
      expect(classifyInbound(text, 'en').kind, text).not.toBe('opt_out');
  });
});

describe('opt-in, help and language words', () => {
  it('START and UNSTOP are strong, YES and SÍ weak (they are answers too)', () => {
    expect(classifyInbound('START', 'en')).toEqual({ kind: 'opt_in', word: 'start', strong: true });
    expect(classifyInbound('unstop', 'en')).toMatchObject({ kind: 'opt_in', strong: true });
    expect(classifyInbound('Yes', 'en')).toMatchObject({ kind: 'opt_in', strong: false });
    expect(classifyInbound('Sí', 'es')).toMatchObject({ kind: 'opt_in', strong: false });
    expect(classifyInbound('Bắt đầu', 'vi')).toMatchObject({ kind: 'opt_in', strong: true });
  });
  it('HELP and INFO in every language', () => {
    for (const w of ['HELP', 'info', 'AYUDA', 'ajuda', 'giúp đỡ', '帮助', 'مساعدة', 'èd', 'caawi', 'помощь'])
      expect(classifyInbound(w, 'en').kind, w).toBe('help');
  });
  it('a language name switches language; LANGUAGE / IDIOMA alone asks for the list', () => {
    const cases: Array<[string, string]> = [
      ['ESPAÑOL', 'es'],
      ['espanol', 'es'],
      ['Spanish', 'es'],
      ['en español por favor', 'es'],
      ['IDIOMA: ESPAÑOL', 'es'],
      ['TIẾNG VIỆT', 'vi'],
      ['Vietnamese', 'vi'],
      ['中文', 'zh'],
      ['العربية', 'ar'],
      ['PORTUGUÊS', 'pt'],
      ['KREYÒL', 'ht'],
      ['Soomaali', 'so'],
      ['РУССКИЙ', 'ru'],
      ['English', 'en'],
    ];
    for (const [text, locale] of cases)
      expect(classifyInbound(text, 'en'), text).toEqual({ kind: 'language', locale });
    expect(classifyInbound('LANGUAGE', 'en')).toEqual({ kind: 'language' });
    expect(classifyInbound('idioma', 'es')).toEqual({ kind: 'language' });
  });
  it('answers and free text go to the dialog', () => {
    for (const t of ['1', '1,3', 'good', 'bien', 'We need help with the internet', 'I speak Spanish at home'])
      expect(classifyInbound(t, 'en').kind, t).toBe('dialog');
  });
});

describe('crisis wording', () => {
  const cases: Array<[string, string, string]> = [
    ['My son said he wants to kill himself', 'en', 'self_harm'],
    ['she is cutting herself again', 'en', 'self_harm'],
    ['Mi hija dice que se quiere matar', 'es', 'self_harm'],
    ['no tenemos comida desde ayer', 'es', 'no_food'],
    ['nos desalojaron y no tenemos donde dormir', 'es', 'housing_loss'],
    ['Nao temos comida em casa', 'pt', 'no_food'],
    ['con tôi muốn tự tử', 'vi', 'self_harm'],
    ['chúng tôi không có chỗ ở', 'vi', 'housing_loss'],
    ['我儿子想自杀', 'zh', 'self_harm'],
    ['我們無家可歸', 'zh', 'housing_loss'],
    ['ابني يريد الانتحار', 'ar', 'self_harm'],
    ['أبوه يضربه كل يوم', 'ar', 'abuse_neglect'],
    ['Nou pa gen manje lakay la', 'ht', 'no_food'],
    ['gurigii waa naga saareen, guri la’aan ayaan nahay', 'so', 'housing_loss'],
    ['Сын говорит, что хочет умереть', 'ru', 'self_harm'],
    ['Нам негде спать', 'ru', 'housing_loss'],
    ['SUICIDE', 'en', 'self_harm'],
    ['Él nos amenazó con un cuchillo', 'es', 'violence'],
  ];
  for (const [text, locale, trigger] of cases) {
    it(`${locale}: ${trigger}`, () => {
      expect(classifyInbound(text, locale)).toMatchObject({ kind: 'crisis', trigger });
    });
  }
  it('is accent-insensitive', () => {
    expect(classifyInbound('ella quiere morir', 'es')).toMatchObject({
      kind: 'crisis',
      trigger: 'self_harm',
    });
    expect(classifyInbound('NO TENEMOS COMÍDA', 'es')).toMatchObject({ kind: 'crisis', trigger: 'no_food' });
    expect(classifyInbound('khong co gi an', 'vi')).toMatchObject({ kind: 'crisis', trigger: 'no_food' });
  });
  it('does not fire on everyday words that fold to the same letters or contain a short term', () => {
    const everyday: Array<[string, string]> = [
      ['từ từ thôi', 'vi'],
      ['Abi is doing well', 'en'],
      ['He has a photo shoot on Friday', 'en'],
      ['the stable is near the school', 'en'],
      ['vivimos en la calle 5', 'es'],
      ['我打电话给你', 'zh'],
    ];
    for (const [text, locale] of everyday) expect(classifyInbound(text, locale).kind, text).toBe('dialog');
  });
  it('counts a short single word only in its own language', () => {
    expect(classifyInbound('tiene un arma', 'es')).toMatchObject({ kind: 'crisis', trigger: 'violence' });
    expect(classifyInbound('arma', 'en').kind).toBe('dialog');
  });
  it('an exact opt-out word still wins; crisis wins over everything else', () => {
    expect(classifyInbound('STOP', 'en').kind).toBe('opt_out');
    expect(classifyInbound('help, my son wants to die', 'en').kind).toBe('crisis');
  });
});

describe('folding', () => {
  it('drops case, accents, punctuation and emoji', () => {
    expect(fold('  ¡ESPAÑOL! 🙂 ')).toBe('espanol');
    expect(fold('Tiếng Việt')).toBe('tieng viet');
    expect(fold('Đà Nẵng')).toBe('da nang');
    expect(fold('РУССКИЙ')).toBe('русскии');
  });
});
