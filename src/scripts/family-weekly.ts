import type { ScriptInput } from '../dialogs/script.js';

const DAY = 24 * 60 * 60 * 1000;

/**
 * The family's weekly SMS check-in, answerable by number, asked per child by first name. Texts carry their
 * numbered options inline ("Reply 1 Good, 2 OK, 3 Hard") so an SMS needs no rendered choice list.
 */
export const familyWeekly: ScriptInput = {
  id: 'family-weekly',
  version: 1,
  kind: 'family',
  title: 'Family weekly check-in (SMS)',
  levels: [{ id: 'all', fromWeek: 1, icebreaker: 'off' }],
  defaults: { timeoutMs: DAY, onTimeout: { remind: 1, after: 'pause' } },
  texts: {
    hint: 'family.hint',
    hintMulti: 'family.hint_multi',
    reminder: 'family.reminder',
    paused: 'family.paused',
    counselorRequested: 'family.counselor_requested',
  },
  words: { skip: 'common.words.skip', places: 'family.words.places' },
  sections: {
    student: [
      {
        kind: 'choice',
        id: 'how',
        key: 'family.how',
        // Only 'hard' goes on to what is hard; an answer kept as a note ends this child's questions.
        next: 'end',
        options: [
          { id: 'good', labelKey: 'family.how_good', wordsKey: 'family.words.good' },
          { id: 'ok', labelKey: 'family.how_ok', wordsKey: 'family.words.ok' },
          { id: 'hard', labelKey: 'family.how_hard', wordsKey: 'family.words.hard', next: 'what' },
        ],
      },
      {
        kind: 'needs',
        id: 'what',
        key: 'family.what',
        options: [
          {
            id: 'food',
            labelKey: 'family.what_food',
            wordsKey: 'family.words.food',
            need: { area: 'food_security', severity: 'high' },
          },
          {
            id: 'housing',
            labelKey: 'family.what_housing',
            wordsKey: 'family.words.housing',
            need: { area: 'housing_stability', severity: 'high' },
          },
          {
            id: 'internet',
            labelKey: 'family.what_internet',
            wordsKey: 'family.words.internet',
            need: { area: 'technology_access', severity: 'medium' },
          },
          {
            id: 'health',
            labelKey: 'family.what_health',
            wordsKey: 'family.words.health',
            need: { area: 'physical_health', severity: 'medium' },
          },
          {
            id: 'school',
            labelKey: 'family.what_school',
            wordsKey: 'family.words.school',
            need: { area: 'academic', severity: 'medium' },
          },
          {
            id: 'transport',
            labelKey: 'family.what_transport',
            wordsKey: 'family.words.transport',
            need: { area: 'transportation', severity: 'medium' },
          },
          {
            id: 'other',
            labelKey: 'family.what_other',
            wordsKey: 'family.words.other',
            need: { area: 'other', severity: 'medium' },
          },
        ],
      },
    ],
    outro: [
      { kind: 'yes_no', id: 'call', key: 'family.call' },
      {
        kind: 'info',
        id: 'thanks_call',
        key: 'family.thanks_call',
        when: { step: 'call', in: ['yes'] },
        next: 'end',
      },
      { kind: 'info', id: 'thanks', key: 'family.thanks' },
    ],
  },
};
