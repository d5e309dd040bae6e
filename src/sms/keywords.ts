import type { Locale } from '../config.js';

// Keyword tables, written as people type them; every entry is folded (see normalize.ts) before matching,
// so accents, case and punctuation do not matter. These lists are a starting point: a district should have
// native speakers review them (docs/sms.md explains how to add words).

/** Twilio's default opt-out words (long codes and toll-free), which Twilio itself also acts on. */
export const TWILIO_OPT_OUT_WORDS = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
] as const;

/**
 * Whole-message opt-out words per language. English also accepts "opt out", "stop all" and a few
 * unmistakable phrases ("stop texting me"). Words that are also ordinary answers ("no más", "thôi") are
 * deliberately absent: a family answering a question must not be unsubscribed by accident.
 */
export const OPT_OUT_WORDS: Record<Locale, string[]> = {
  en: [
    ...TWILIO_OPT_OUT_WORDS,
    'opt out',
    'opt-out',
    'stop all',
    'stop texting me',
    'stop texting',
    'stop messaging me',
    'stop sending messages',
    'no more texts',
    'no more messages',
    'remove me',
  ],
  es: [
    'parar',
    'para',
    'pare',
    'alto',
    'detener',
    'cancelar',
    'baja',
    'darme de baja',
    'dar de baja',
    'basta',
    'no mas mensajes',
    'no me manden mas mensajes',
    'ya no quiero mensajes',
  ],
  pt: ['parar', 'pare', 'sair', 'cancelar', 'descadastrar', 'nao quero mais mensagens', 'chega de mensagens'],
  vi: ['dừng', 'dừng lại', 'ngừng', 'ngừng nhắn tin', 'hủy', 'hủy đăng ký', 'không nhắn tin nữa'],
  zh: ['停止', '停', '取消', '退订', '退訂', '退出', 'td', '不要再发', '不要再發'],
  ar: ['توقف', 'قف', 'أوقف', 'إيقاف', 'إلغاء', 'إلغاء الاشتراك', 'الغاء', 'لا أريد رسائل'],
  ht: ['rete', 'kanpe', 'sispann', 'anile', 'dezabone', 'arret', 'arrête', 'pa voye mesaj ankò'],
  so: ['jooji', 'joogso', 'iska jooji', 'ka bax', 'fariimaha jooji'],
  ru: ['стоп', 'отписаться', 'отписка', 'отмена', 'отменить', 'прекратить', 'хватит сообщений'],
};

/**
 * Opt-in words. `strong` words always (re)start texts; `weak` words ("yes", "sí") are ordinary answers too,
 * so they only opt back in a guardian who is currently opted out.
 */
export const OPT_IN_WORDS: Record<Locale, { strong: string[]; weak: string[] }> = {
  en: { strong: ['start', 'unstop', 'resume', 'subscribe'], weak: ['yes', 'y'] },
  es: { strong: ['comenzar', 'empezar', 'iniciar', 'reanudar', 'alta'], weak: ['sí', 'si'] },
  pt: { strong: ['começar', 'iniciar', 'voltar', 'retomar'], weak: ['sim'] },
  vi: { strong: ['bắt đầu', 'tiếp tục', 'đăng ký'], weak: ['có', 'vâng', 'dạ'] },
  zh: { strong: ['开始', '開始', '订阅', '訂閱', '恢复', '恢復'], weak: ['是', '是的', '好'] },
  ar: { strong: ['ابدأ', 'بدء', 'استئناف', 'اشتراك'], weak: ['نعم'] },
  ht: { strong: ['kòmanse', 'rekòmanse'], weak: ['wi'] },
  so: { strong: ['bilow', 'dib u bilow'], weak: ['haa'] },
  ru: { strong: ['старт', 'начать', 'возобновить', 'подписаться'], weak: ['да'] },
};

/** HELP / INFO and their equivalents: carriers require an answer, even to an opted-out number. */
export const HELP_WORDS: Record<Locale, string[]> = {
  en: ['help', 'info', 'information'],
  es: ['ayuda', 'información', 'socorro'],
  pt: ['ajuda', 'informação', 'informações'],
  vi: ['giúp', 'giúp đỡ', 'trợ giúp', 'thông tin'],
  zh: ['帮助', '幫助', '帮忙', '幫忙', '信息', '資訊'],
  ar: ['مساعدة', 'ساعدني', 'معلومات'],
  ht: ['èd', 'ede', 'enfòmasyon'],
  so: ['caawi', 'caawin', 'caawimaad', 'macluumaad'],
  ru: ['помощь', 'справка', 'инфо'],
};

/** Words naming each language, in itself and in English (and Spanish, the most common second language). */
export const LANGUAGE_NAMES: Record<Locale, string[]> = {
  en: [
    'english',
    'inglés',
    'anglais',
    'angle',
    'ingilis',
    'английский',
    '英文',
    '英语',
    '英語',
    'tiếng anh',
    'الإنجليزية',
    'انجليزي',
    'inglês',
  ],
  es: [
    'español',
    'spanish',
    'castellano',
    'espagnol',
    'panyòl',
    'испанский',
    '西班牙语',
    '西班牙語',
    'tiếng tây ban nha',
    'espanhol',
    'الإسبانية',
  ],
  ar: ['العربية', 'عربي', 'عربى', 'arabic', 'árabe', 'arab', 'carabi', 'арабский', '阿拉伯语', '阿拉伯語'],
  zh: [
    '中文',
    '汉语',
    '漢語',
    '普通话',
    '普通話',
    '国语',
    '國語',
    '华语',
    '華語',
    '广东话',
    '廣東話',
    '粤语',
    '粵語',
    'chinese',
    'mandarin',
    'cantonese',
    'chino',
    'chinês',
    'tiếng trung',
    'китайский',
  ],
  vi: ['tiếng việt', 'tieng viet', 'vietnamese', 'vietnamita', 'việt', 'вьетнамский', '越南语', '越南語'],
  pt: ['português', 'portuguese', 'portugués', 'portugais', 'португальский', '葡萄牙语', '葡萄牙語'],
  ht: [
    'kreyòl',
    'kreyòl ayisyen',
    'haitian creole',
    'haitian',
    'creole',
    'créole',
    'criollo',
    'criollo haitiano',
    'crioulo',
  ],
  so: ['soomaali', 'af soomaali', 'somali', 'somalí', 'сомалийский'],
  ru: ['русский', 'по-русски', 'russian', 'ruso', 'russe', 'russo', '俄语', '俄語', 'tiếng nga'],
};

/** Words asking for the list of languages ("LANGUAGE", "IDIOMA"); also allowed in front of a language name. */
export const LANGUAGE_LIST_WORDS: string[] = [
  'language',
  'languages',
  'lang',
  'idioma',
  'idiomas',
  'lengua',
  'língua',
  'lingua',
  'langue',
  'ngôn ngữ',
  '语言',
  '語言',
  'لغة',
  'اللغة',
  'язык',
  'luqad',
  'luuqad',
];

/** Words that may surround a keyword without changing it: "STOP PLEASE", "en español por favor". */
export const FILLER_WORDS: string[] = [
  'please',
  'pls',
  'plz',
  'thanks',
  'thank you',
  'por favor',
  'gracias',
  'obrigado',
  'obrigada',
  'in',
  'en',
  'em',
  'to',
  'a',
  'al',
  'the',
  'el',
  'in my language',
  'silvouplè',
  'souple',
  'mèsi',
  'làm ơn',
  'cảm ơn',
  'пожалуйста',
  'на',
  '请',
  '請',
  '谢谢',
  '謝謝',
  'من فضلك',
  'شكرا',
  'fadlan',
  'mahadsanid',
];

/** Each language's own name, for the list sent in answer to LANGUAGE / IDIOMA. */
export const LANGUAGE_ENDONYMS: string[] = [
  'ENGLISH',
  'ESPAÑOL',
  'العربية',
  '中文',
  'TIẾNG VIỆT',
  'PORTUGUÊS',
  'KREYÒL',
  'SOOMAALI',
  'РУССКИЙ',
];
