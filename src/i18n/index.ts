import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n } from 'i18next';
import type { Logger } from '../lib/logger.js';
import type { MessageParam, MessagePayload } from '../messages.js';

export const LOCALES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../locales');

type Tree = { [key: string]: string | Tree };
/** locale → file name (without .json) → nested texts. Key 'family.how_is' is `how_is` in family.json. */
export type LocaleResources = Record<string, Record<string, Tree>>;

/** Reads every `locales/<lng>/<file>.json`. */
export function loadLocaleResources(dir: string = LOCALES_DIR): LocaleResources {
  const out: LocaleResources = {};
  for (const lng of readdirSync(dir)) {
    const lngDir = join(dir, lng);
    if (!statSync(lngDir).isDirectory()) continue;
    out[lng] = {};
    for (const file of readdirSync(lngDir)) {
      if (!file.endsWith('.json')) continue;
      out[lng][basename(file, '.json')] = JSON.parse(readFileSync(join(lngDir, file), 'utf8')) as Tree;
    }
  }
  return out;
}

/** Every key in a locale, flattened: ['family.how_is', ...]. */
export function flattenKeys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : flattenKeys(v, `${prefix}${k}.`),
  );
}

/** A rendered message: text plus numbered choices, in the locale actually used. */
export interface RenderedMessage {
  text: string;
  choices: { id: string; label: string }[];
  locale: string;
  dir: 'ltr' | 'rtl';
  /** True when any text had to fall back to the district default. */
  fellBack: boolean;
}

/** Counts of fallbacks by reason, so a missing translation is never silent. */
export interface FallbackCounters {
  unknownLocale: number;
  missingKey: number;
  byKey: Record<string, number>;
}

export interface Texts {
  readonly defaultLocale: string;
  readonly locales: string[];
  /** Renders one key in `locale`, falling back to the default locale (logged and counted). */
  t(key: string, locale: string, params?: Record<string, MessageParam>): { text: string; fellBack: boolean };
  /** Renders a whole payload: main text, extra texts, and choice labels. */
  render(payload: MessagePayload, locale: string): RenderedMessage;
  /** The locale that will actually be used for `locale` (unknown → default). */
  resolveLocale(locale: string | null | undefined): string;
  readonly counters: FallbackCounters;
}

/**
 * Loads texts with i18next. Example: `createTexts({ defaultLocale: 'en', logger }).t('family.stop_confirm', 'es')`.
 */
export function createTexts(options: {
  defaultLocale: string;
  logger?: Logger;
  resources?: LocaleResources;
}): Texts {
  const resources = options.resources ?? loadLocaleResources();
  const instance: i18n = i18next.createInstance();
  void instance.init({
    initAsync: false,
    showSupportNotice: false,
    resources: Object.fromEntries(
      Object.entries(resources).map(([lng, files]) => [lng, { translation: files }]),
    ),
    lng: options.defaultLocale,
    fallbackLng: options.defaultLocale,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const locales = Object.keys(resources);
  const counters: FallbackCounters = { unknownLocale: 0, missingKey: 0, byKey: {} };
  const count = (what: 'unknownLocale' | 'missingKey', key: string) => {
    counters[what] += 1;
    counters.byKey[key] = (counters.byKey[key] ?? 0) + 1;
  };

  const resolveLocale = (locale: string | null | undefined): string => {
    if (locale && locales.includes(locale)) return locale;
    const base = locale?.split(/[-_]/)[0]?.toLowerCase();
    if (base && locales.includes(base)) return base;
    return options.defaultLocale;
  };

  const t: Texts['t'] = (key, locale, params = {}) => {
    let fellBack = false;
    const lng = resolveLocale(locale);
    if (lng !== locale && locale && lng !== locale.split(/[-_]/)[0]?.toLowerCase()) {
      fellBack = true;
      count('unknownLocale', `${locale}`);
      options.logger?.warn({ locale, used: lng }, 'unknown locale: using the district default');
    }
    const resolvedParams: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'object') {
        const inner = t(value.key, lng);
        fellBack ||= inner.fellBack;
        resolvedParams[name] = inner.text;
      } else resolvedParams[name] = value;
    }
    if (!instance.exists(key, { lng, fallbackLng: [] })) {
      fellBack = true;
      count('missingKey', `${lng}:${key}`);
      options.logger?.warn(
        { key, locale: lng, used: options.defaultLocale },
        'missing translation: using the default',
      );
      if (!instance.exists(key, { lng: options.defaultLocale, fallbackLng: [] })) {
        options.logger?.error({ key }, 'text key missing in the default locale too');
        return { text: key, fellBack: true };
      }
    }
    return { text: instance.t(key, { lng, ...resolvedParams }) as string, fellBack };
  };

  const render: Texts['render'] = (payload, locale) => {
    const lng = resolveLocale(locale);
    const main = t(payload.key, locale, payload.params);
    let fellBack = main.fellBack;
    const parts = [main.text];
    for (const extra of payload.extraKeys ?? []) {
      const r = t(extra, lng, payload.params);
      fellBack ||= r.fellBack;
      parts.push(r.text);
    }
    const choices = (payload.choices ?? []).map((c) => {
      const r = t(c.labelKey, lng, c.params);
      fellBack ||= r.fellBack;
      return { id: c.id, label: r.text };
    });
    return {
      text: parts.join('\n'),
      choices,
      locale: lng,
      dir: instance.dir(lng) === 'rtl' ? 'rtl' : 'ltr',
      fellBack,
    };
  };

  return { defaultLocale: options.defaultLocale, locales, t, render, resolveLocale, counters };
}
