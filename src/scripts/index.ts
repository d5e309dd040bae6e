import { type NeedLexicon, needLexicon } from '../dialogs/needs.js';
import { isChoiceStep, optionsOf, Script, type ScriptInput, SECTIONS } from '../dialogs/script.js';
import { type LocaleResources, loadLocaleResources } from '../i18n/index.js';
import { familyWeekly } from './family-weekly.js';
import { navigatorWeekly } from './navigator-weekly.js';

/** Every script the service ships, as written (before validation). */
export const SCRIPT_SOURCES: readonly ScriptInput[] = [navigatorWeekly, familyWeekly];
export const SCRIPT_IDS = ['navigator-weekly', 'family-weekly'] as const;

/** Looks a dotted key ('family.words.food') up in one locale's files. */
export function lookupText(resources: LocaleResources, locale: string, key: string): string | undefined {
  const [file, ...rest] = key.split('.');
  let node: unknown = resources[locale]?.[file ?? ''];
  for (const part of rest) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * The words a reply may use for each option, per locale: an option's label as a whole (unless it has
 * parameters) and its comma-separated synonyms. Built from the locale files so translators edit them there.
 */
export function buildLexicon(script: Script, resources: LocaleResources): NonNullable<Script['lexicon']> {
  const keys = new Set<{ key: string; split: boolean }>();
  const seen = new Set<string>();
  const add = (key: string, split: boolean) => {
    if (seen.has(key)) return;
    seen.add(key);
    keys.add({ key, split });
  };
  add(script.words.skip, true);
  if (script.words.idea) add(script.words.idea, true);
  if (script.words.places) add(script.words.places, true);
  for (const section of SECTIONS)
    for (const step of script.sections[section]) {
      if (!isChoiceStep(step)) continue;
      for (const option of optionsOf(step)) {
        add(option.labelKey, false);
        if (option.wordsKey) add(option.wordsKey, true);
      }
    }
  const lexicon: NonNullable<Script['lexicon']> = {};
  for (const locale of Object.keys(resources)) {
    const words: Record<string, string[]> = {};
    for (const { key, split } of keys) {
      const text = lookupText(resources, locale, key);
      if (text === undefined || (!split && text.includes('{{'))) continue;
      words[key] = split
        ? text
            .split(/[,;、，]/)
            .map((w) => w.trim())
            .filter(Boolean)
        : [text];
    }
    lexicon[locale] = words;
  }
  return lexicon;
}

/** Validates a script and attaches its lexicon. Throws when the data does not match the schema. */
export function loadScript(source: unknown, resources: LocaleResources): Script {
  const script = Script.parse(source);
  return { ...script, lexicon: buildLexicon(script, resources) };
}

let cache: Map<string, Script> | undefined;

function loaded(): Map<string, Script> {
  if (!cache) {
    const resources = loadLocaleResources();
    cache = new Map(SCRIPT_SOURCES.map((s) => [s.id, loadScript(s, resources)]));
  }
  return cache;
}

/** A shipped script by id, validated and with its lexicon. Example: `getScript('family-weekly')`. */
export function getScript(id: string): Script {
  const script = loaded().get(id);
  if (!script) throw new Error(`unknown script '${id}' (known: ${SCRIPT_IDS.join(', ')})`);
  return script;
}

/** Every shipped script. */
export function allScripts(): Script[] {
  return [...loaded().values()];
}

/**
 * The family script's need words in every shipped language, for texts that arrive outside a check-in:
 * `matchNeedAreas(body, guardian.locale, familyNeedLexicon())` (src/dialogs/needs.ts).
 */
export function familyNeedLexicon(): NeedLexicon {
  const script = getScript('family-weekly');
  // One object per loaded script: matchNeedAreas keeps the words it builds from it.
  if (familyLexicon?.script !== script) familyLexicon = { script, lexicon: needLexicon(script) };
  return familyLexicon.lexicon;
}

let familyLexicon: { script: Script; lexicon: NeedLexicon } | undefined;
