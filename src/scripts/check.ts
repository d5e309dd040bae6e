import { normalizeText } from '../dialogs/parse.js';
import {
  type AskStep,
  isAskStep,
  isChoiceStep,
  optionsOf,
  Script,
  SECTIONS,
  type Section,
  type Step,
} from '../dialogs/script.js';
import { smsSegments } from '../dialogs/sms.js';
import type { LocaleResources } from '../i18n/index.js';
import { staffKeys } from '../i18n/staff.js';
import { LANGUAGE_ENDONYMS, TWILIO_OPT_OUT_WORDS } from '../sms/common-words.js';
import { fold } from '../sms/normalize.js';
import {
  formatWordsIssue,
  SMS_WORDS_FILE,
  SMS_WORDS_NAME,
  SmsWords,
  smsWordsIssues,
} from '../sms/word-files.js';
import { STAFF_LOCALES } from '../vocabulary.js';
import { lookupText } from './index.js';

/** Languages every family text must exist in; navigator texts exist in English and Spanish. */
export const FAMILY_LOCALES = ['en', 'es', 'ar', 'zh', 'vi', 'pt', 'ht', 'so', 'ru'] as const;
export const NAVIGATOR_LOCALES = ['en', 'es'] as const;
/** Texts the SMS layer sends outside a check-in (help, stop, crisis, ...): checked like the script's. */
export const FAMILY_SMS_KEYS = [
  'family.help',
  'family.help_no_phone',
  'family.stop_confirm',
  'family.start_confirm',
  'family.language_switched',
  'family.crisis',
  'family.unknown_number',
  'family.consent',
  'family.language_list',
  'family.message_received',
] as const;
export const MAX_SMS_SEGMENTS = 3;
/** Longest values a family text may be rendered with: a 12-character name, in GSM-7 and with a UCS-2 letter. */
export const WORST_CASE_PARAMS = [
  {
    name: 'Christabella',
    grade: '12',
    count: 5,
    school: 'Martin Luther King Jr. Academy',
    phone: '(615) 555-0100',
    languages: LANGUAGE_ENDONYMS.join(', '),
  },
  {
    name: 'Anh-Thư Ngọc',
    grade: '12',
    count: 5,
    school: 'Martin Luther King Jr. Academy',
    phone: '(615) 555-0100',
    languages: LANGUAGE_ENDONYMS.join(', '),
  },
];

/** Renders one key like i18next does for these texts ({{param}}), without its runtime: checks stay quiet. */
export function renderText(
  resources: LocaleResources,
  locale: string,
  key: string,
  params: Record<string, string | number>,
): string {
  const text = lookupText(resources, locale, key) ?? lookupText(resources, 'en', key) ?? key;
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(params[name] ?? ''));
}

/**
 * One thing wrong with a script, or with texts or words no script owns (`scriptId: 'staff'`, `'sms-words'`).
 * Example: `{ scriptId: 'family-weekly', code: 'sms_too_long', message: ... }`.
 */
export interface Problem {
  scriptId: string;
  code:
    | 'schema'
    | 'duplicate_step'
    | 'bad_target'
    | 'unreachable'
    | 'no_timeout'
    | 'missing_text'
    | 'sms_too_long'
    | 'ambiguous_word'
    | 'missing_words'
    | 'bad_words';
  stepId?: string;
  locale?: string;
  message: string;
}

/** Every key a script may send or read (questions, guidance, options, words, script texts). */
export function scriptKeys(script: Script): Set<string> {
  const keys = new Set<string>([
    ...Object.values(script.texts),
    ...Object.values(script.words),
    ...script.icebreakers,
  ]);
  for (const section of SECTIONS)
    for (const step of script.sections[section]) {
      if ('key' in step) keys.add(step.key);
      if (step.kind === 'info') for (const k of step.extraKeys ?? []) keys.add(k);
      if (isAskStep(step)) {
        for (const list of Object.values(step.guidance ?? {})) for (const k of list) keys.add(k);
        if (step.hintKey) keys.add(step.hintKey);
      }
      for (const o of optionsOf(step)) {
        keys.add(o.labelKey);
        if (o.wordsKey) keys.add(o.wordsKey);
      }
    }
  for (const k of keys) if (k === undefined) keys.delete(k);
  return keys;
}

function edges(steps: Step[], i: number): (string | null)[] {
  const step = steps[i]!;
  if (step.kind === 'end') return [];
  const fallthrough = steps[i + 1]?.id ?? null;
  const out: (string | null)[] = [];
  const own = step.next === 'end' ? null : (step.next ?? fallthrough);
  out.push(own);
  // A hidden step (level, condition, nothing to show) is passed over to the following step.
  if (step.levels || step.when || step.kind === 'icebreaker' || step.kind === 'family_note')
    out.push(fallthrough);
  for (const o of optionsOf(step)) if (o.next) out.push(o.next === 'end' ? null : o.next);
  return out;
}

function checkFlow(script: Script, problems: Problem[]): void {
  const p = (code: Problem['code'], stepId: string, message: string) =>
    problems.push({ scriptId: script.id, code, stepId, message });
  const all = SECTIONS.flatMap((s) => script.sections[s].map((step) => step.id));
  for (const id of new Set(all))
    if (all.filter((x) => x === id).length > 1)
      p('duplicate_step', id, `step id '${id}' is used more than once`);
  for (const section of SECTIONS) {
    const steps = script.sections[section];
    const ids = new Set(steps.map((s) => s.id));
    steps.forEach((step, i) => {
      for (const target of edges(steps, i))
        if (target !== null && !ids.has(target))
          p(
            'bad_target',
            step.id,
            `step '${step.id}' goes to '${target}', which is not a step of the ${section} section`,
          );
      if (step.when && !all.includes(step.when.step))
        p('bad_target', step.id, `step '${step.id}' depends on '${step.when.step}', which does not exist`);
    });
    const seen = new Set<string>();
    const queue = steps[0] ? [steps[0].id] : [];
    while (queue.length > 0) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const i = steps.findIndex((s) => s.id === id);
      if (i >= 0) for (const t of edges(steps, i)) if (t !== null) queue.push(t);
    }
    for (const step of steps)
      if (!seen.has(step.id))
        p('unreachable', step.id, `step '${step.id}' (${section}) can never be reached`);
    for (const step of steps.filter(isAskStep)) {
      const timeoutMs = step.timeoutMs ?? script.defaults.timeoutMs;
      const path = step.onTimeout ?? script.defaults.onTimeout;
      if (!timeoutMs || !path)
        p(
          'no_timeout',
          step.id,
          `step '${step.id}' waits for a reply but has no timeout path (timeoutMs and onTimeout)`,
        );
      if (step.kind === 'needs' && section !== 'student')
        p(
          'bad_target',
          step.id,
          `needs step '${step.id}' must be in the student section (needs belong to a student)`,
        );
    }
  }
}

function checkWords(
  script: Script,
  resources: LocaleResources,
  locales: readonly string[],
  problems: Problem[],
) {
  for (const section of SECTIONS)
    for (const step of script.sections[section].filter(isChoiceStep) as AskStep[])
      for (const locale of locales) {
        const owner = new Map<string, string>();
        for (const o of optionsOf(step)) {
          const label = lookupText(resources, locale, o.labelKey);
          const words = [
            ...(label && !label.includes('{{') ? [label] : []),
            ...(o.wordsKey ? (lookupText(resources, locale, o.wordsKey) ?? '').split(/[,;、，]/) : []),
          ].map(normalizeText);
          for (const w of new Set(words.filter(Boolean))) {
            const other = owner.get(w);
            if (other && other !== o.id)
              problems.push({
                scriptId: script.id,
                code: 'ambiguous_word',
                stepId: step.id,
                locale,
                message: `'${w}' means both '${other}' and '${o.id}' in step '${step.id}' (${locale})`,
              });
            owner.set(w, o.id);
          }
        }
        if (step.kind === 'needs' && script.words.places) {
          const places = splitList(lookupText(resources, locale, script.words.places));
          for (const [w, id] of owner)
            if (places.includes(w))
              problems.push({
                scriptId: script.id,
                code: 'ambiguous_word',
                stepId: step.id,
                locale,
                message: `'${w}' is both a place phrase (${script.words.places}) and a word for '${id}' in step '${step.id}' (${locale}): it would never be read`,
              });
        }
      }
}

function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,;、，]/)
    .map(normalizeText)
    .filter(Boolean);
}

/** The SMS bodies a family script can send for one step, as text keys (the question, with hint, as reminder). */
function smsPayloads(script: Script, step: Step) {
  if (step.kind === 'info') return [{ key: step.key, extraKeys: step.extraKeys ?? [] }];
  if (!isAskStep(step)) return [];
  const hint =
    step.hintKey ??
    (step.kind === 'multi' || step.kind === 'needs' ? script.texts.hintMulti : script.texts.hint);
  return [
    { key: step.key, extraKeys: [hint] },
    { key: script.texts.reminder, extraKeys: [step.key] },
  ];
}

function checkSms(script: Script, resources: LocaleResources, problems: Problem[]): void {
  const bodies: { stepId?: string; key: string; extraKeys: string[] }[] = FAMILY_SMS_KEYS.map((key) => ({
    key,
    extraKeys: [],
  }));
  for (const section of SECTIONS)
    for (const step of script.sections[section])
      for (const b of smsPayloads(script, step)) bodies.push({ stepId: step.id, ...b });
  for (const locale of FAMILY_LOCALES)
    for (const body of bodies) {
      let worst = { segments: 0, encoding: 'GSM-7', units: 0 };
      for (const params of WORST_CASE_PARAMS) {
        const text = [body.key, ...body.extraKeys]
          .map((k) => renderText(resources, locale, k, params))
          .join('\n');
        const cost = smsSegments(text);
        if (cost.segments > worst.segments) worst = cost;
      }
      if (worst.segments > MAX_SMS_SEGMENTS)
        problems.push({
          scriptId: script.id,
          code: 'sms_too_long',
          ...(body.stepId ? { stepId: body.stepId } : {}),
          locale,
          message: `${[body.key, ...body.extraKeys].join(' + ')} in '${locale}' takes ${worst.segments} SMS segments (${worst.encoding}, ${worst.units} units); at most ${MAX_SMS_SEGMENTS}`,
        });
    }
}

/**
 * Checks scripts statically: schema, step ids and branch targets, every step reachable, every wait with a
 * timeout path, every text in every shipped language, family texts at most 3 SMS segments in every
 * language, and no synonym meaning two options of one question.
 */
export function checkScripts(scripts: readonly unknown[], resources: LocaleResources): Problem[] {
  const problems: Problem[] = [];
  for (const [i, source] of scripts.entries()) {
    const parsed = Script.safeParse(source);
    const id = (source as { id?: unknown })?.id;
    const scriptId = typeof id === 'string' ? id : `#${i}`;
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({
          scriptId,
          code: 'schema',
          message: `${issue.path.join('.') || '(script)'}: ${issue.message}`,
        });
      continue;
    }
    const script = parsed.data;
    checkFlow(script, problems);
    const locales = script.kind === 'family' ? FAMILY_LOCALES : NAVIGATOR_LOCALES;
    const keys = [...scriptKeys(script), ...(script.kind === 'family' ? FAMILY_SMS_KEYS : [])];
    for (const locale of locales)
      for (const key of keys)
        if (lookupText(resources, locale, key) === undefined)
          problems.push({
            scriptId,
            code: 'missing_text',
            locale,
            message: `text '${key}' is missing in '${locale}'`,
          });
    checkWords(script, resources, locales, problems);
    if (script.kind === 'family') checkSms(script, resources, problems);
  }
  problems.push(...checkStaffTexts(resources));
  problems.push(...checkSmsWords(resources));
  return problems;
}

/** Staff screens (Slack, Teams) belong to no script, so their texts are checked on their own. */
export function checkStaffTexts(resources: LocaleResources): Problem[] {
  // Keys of every staff language, so a key added only in Spanish is reported missing in English too.
  const keys = new Set(STAFF_LOCALES.flatMap((locale) => staffKeys(resources, locale)));
  return STAFF_LOCALES.flatMap((locale) =>
    [...keys]
      .filter((key) => lookupText(resources, locale, key) === undefined)
      .map((key) => ({
        scriptId: 'staff',
        code: 'missing_text' as const,
        locale,
        message: `text '${key}' is missing in '${locale}'`,
      })),
  );
}

/** What a keyword category means, for clash reports; language names belong to one language, the rest are shared. */
function keywordMeanings(locale: string, words: SmsWords): [meaning: string, words: readonly string[]][] {
  return [
    ['an opt-out word', [...words.optOut, ...(locale === 'en' ? TWILIO_OPT_OUT_WORDS : [])]],
    ['a strong opt-in word', words.optIn.strong],
    ['a weak opt-in word', words.optIn.weak],
    ['a help word', words.help],
    [`a name of '${locale}'`, words.languageNames],
    ['a language-list word', words.languageList],
    ['a filler word', words.fillers],
    // Sentences are matched anywhere in a text, so one that means two things is as lost as a keyword would be.
    ['an opt-out word', words.optOutPhrases],
    ['a strong opt-in word', words.optInPhrases],
    ['a help word', words.identity],
    ['a maybe-opt-out phrase', words.optOutMaybe],
  ];
}

/**
 * Checks the family SMS words (locales/<lng>/sms-words.json): every language has the file and every category
 * with at least one word (notCrisis may be empty: a language may have no false alarm to list), and no
 * keyword means two things. Keywords of every language count whatever the family's language, so a word that
 * is an opt-out in one language and an opt-in in another would silently lose one meaning.
 */
export function checkSmsWords(
  resources: LocaleResources,
  locales: readonly string[] = FAMILY_LOCALES,
): Problem[] {
  const problems: Problem[] = [];
  const meaningOf = new Map<string, { meaning: string; word: string; locale: string }>();
  for (const locale of locales) {
    const data: unknown = resources[locale]?.[SMS_WORDS_NAME];
    const file = `locales/${locale}/${SMS_WORDS_FILE}`;
    for (const issue of smsWordsIssues(data))
      problems.push({
        scriptId: SMS_WORDS_NAME,
        code: issue.problem === 'invalid' ? 'bad_words' : 'missing_words',
        locale,
        message: formatWordsIssue(file, issue),
      });
    const parsed = SmsWords.safeParse(data);
    if (!parsed.success) continue;
    for (const [meaning, words] of keywordMeanings(locale, parsed.data))
      for (const word of words) {
        // Unspaced, as classify.ts also matches them ("opt out" / "optout").
        const key = fold(word).replace(/ /g, '');
        const first = meaningOf.get(key);
        if (!first) meaningOf.set(key, { meaning, word, locale });
        else if (first.meaning !== meaning)
          problems.push({
            scriptId: SMS_WORDS_NAME,
            code: 'ambiguous_word',
            locale,
            message: `'${word}' (${locale}) is ${meaning}, but '${first.word}' (${first.locale}) is ${first.meaning}: keywords count in every language, so one meaning would be lost`,
          });
      }
  }
  return problems;
}

/** One line per problem, for the command line. */
export function formatProblem(p: Problem): string {
  return `${p.scriptId}${p.stepId ? `/${p.stepId}` : ''}${p.locale ? ` [${p.locale}]` : ''} ${p.code}: ${p.message}`;
}

export type { Section };
