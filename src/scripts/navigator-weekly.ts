import type { ScriptInput, ScriptOption } from '../dialogs/script.js';
import type { NeedArea } from '../dialogs/taxonomy.js';

const HOUR = 60 * 60 * 1000;

/** The basic-needs checklist: every need area a navigator may tick, with how serious a tick is by default. */
const CHECKLIST: [NeedArea, 'low' | 'medium' | 'high'][] = [
  ['academic', 'medium'],
  ['attendance', 'medium'],
  ['technology_access', 'medium'],
  ['learning_space', 'low'],
  ['food_security', 'high'],
  ['housing_stability', 'high'],
  ['physical_health', 'medium'],
  ['mental_emotional_wellbeing', 'medium'],
  ['family_social_services', 'medium'],
  ['transportation', 'medium'],
  ['enrichment', 'low'],
  ['safety', 'high'],
  ['other', 'medium'],
];

const needOptions: ScriptOption[] = [
  ...CHECKLIST.map(([area, severity]) => ({
    id: area,
    labelKey: `navigator.area.${area}`,
    wordsKey: `navigator.words.${area}`,
    need: { area, severity },
  })),
  { id: 'none', labelKey: 'navigator.needs_none', wordsKey: 'navigator.words.none', exclusive: true },
];

/**
 * The navigator's weekly check-in, one student at a time, scaffolded like Nashville's handbook: week 1 is
 * relationship building (suggested wording, icebreakers, strengths and interests), weeks 2–4 keep the
 * required questions with lighter tips, week 5 on is short (icebreaker ideas on request). Edit `levels` to
 * move the thresholds.
 */
export const navigatorWeekly: ScriptInput = {
  id: 'navigator-weekly',
  version: 1,
  kind: 'navigator',
  title: 'Navigator weekly check-in',
  levels: [
    { id: 'full', fromWeek: 1, icebreaker: 'show' },
    { id: 'guided', fromWeek: 2, icebreaker: 'show' },
    { id: 'short', fromWeek: 5, icebreaker: 'on_request' },
  ],
  icebreakers: [
    'navigator.icebreaker.outside_school',
    'navigator.icebreaker.subjects',
    'navigator.icebreaker.looking_forward',
    'navigator.icebreaker.weekend',
    'navigator.icebreaker.good_at',
    'navigator.icebreaker.important',
  ],
  defaults: { timeoutMs: 4 * HOUR, onTimeout: { remind: 1, after: 'pause' } },
  texts: {
    hint: 'navigator.hint',
    hintMulti: 'navigator.hint_multi',
    reminder: 'navigator.reminder',
    paused: 'navigator.paused',
    counselorRequested: 'navigator.counselor_requested',
    ideaLabel: 'navigator.idea_button',
    skipLabel: 'common.skip',
  },
  words: { skip: 'common.words.skip', idea: 'navigator.words.idea' },
  sections: {
    intro: [
      { kind: 'info', id: 'welcome', key: 'navigator.welcome_full', levels: ['full'] },
      { kind: 'info', id: 'opening', key: 'navigator.opening' },
    ],
    student: [
      { kind: 'info', id: 'student_intro', key: 'navigator.student_intro' },
      { kind: 'family_note', id: 'family_note' },
      { kind: 'icebreaker', id: 'icebreaker' },
      {
        kind: 'choice',
        id: 'connect',
        key: 'navigator.connect',
        ideaOnRequest: true,
        guidance: { full: ['navigator.connect_tip_full'], guided: ['navigator.connect_tip'] },
        options: [
          { id: 'met', labelKey: 'navigator.connect_met', wordsKey: 'navigator.words.met' },
          {
            id: 'unreachable',
            labelKey: 'navigator.connect_unreachable',
            wordsKey: 'navigator.words.unreachable',
            next: 'counselor',
          },
          {
            id: 'absent',
            labelKey: 'navigator.connect_absent',
            wordsKey: 'navigator.words.absent',
            next: 'counselor',
          },
        ],
      },
      {
        kind: 'text',
        id: 'strengths',
        key: 'navigator.strengths',
        levels: ['full'],
        optional: true,
        records: 'strength',
        guidance: { full: ['navigator.strengths_tip'] },
      },
      {
        kind: 'text',
        id: 'interests',
        key: 'navigator.interests',
        levels: ['full'],
        optional: true,
        records: 'interest',
      },
      {
        kind: 'scale',
        id: 'academics',
        key: 'navigator.academics',
        min: 1,
        max: 5,
        lowKey: 'navigator.scale_low',
        highKey: 'navigator.scale_high',
        guidance: { full: ['navigator.academics_tip_full'], guided: ['navigator.academics_tip'] },
      },
      {
        kind: 'choice',
        id: 'attendance',
        key: 'navigator.attendance',
        options: [
          { id: 'on_track', labelKey: 'navigator.attendance_on_track', wordsKey: 'navigator.words.on_track' },
          {
            id: 'some_missed',
            labelKey: 'navigator.attendance_some',
            wordsKey: 'navigator.words.some_missed',
          },
          {
            id: 'many_missed',
            labelKey: 'navigator.attendance_many',
            wordsKey: 'navigator.words.many_missed',
          },
        ],
      },
      {
        kind: 'choice',
        id: 'wellbeing',
        key: 'navigator.wellbeing',
        guidance: { full: ['navigator.wellbeing_tip_full'], guided: ['navigator.wellbeing_tip'] },
        options: [
          { id: 'good', labelKey: 'navigator.wellbeing_good', wordsKey: 'navigator.words.good' },
          { id: 'okay', labelKey: 'navigator.wellbeing_okay', wordsKey: 'navigator.words.okay' },
          {
            id: 'struggling',
            labelKey: 'navigator.wellbeing_struggling',
            wordsKey: 'navigator.words.struggling',
          },
        ],
      },
      {
        kind: 'needs',
        id: 'needs',
        key: 'navigator.needs',
        guidance: { full: ['navigator.needs_tip'], guided: ['navigator.needs_tip'] },
        options: needOptions,
      },
      {
        kind: 'text',
        id: 'celebrate',
        key: 'navigator.celebrate',
        optional: true,
        records: 'celebration',
      },
      {
        kind: 'counselor',
        id: 'counselor',
        key: 'navigator.counselor',
        guidance: {
          full: ['navigator.counselor_tip'],
          guided: ['navigator.counselor_tip'],
          short: ['navigator.counselor_tip'],
        },
        options: [
          { id: 'no', labelKey: 'navigator.counselor_no', wordsKey: 'common.words.no' },
          {
            id: 'yes',
            labelKey: 'navigator.counselor_yes',
            wordsKey: 'common.words.yes',
            escalate: { trigger: 'navigator_request', urgent: false },
          },
          {
            id: 'urgent',
            labelKey: 'navigator.counselor_urgent',
            wordsKey: 'navigator.words.urgent',
            escalate: { trigger: 'navigator_request', urgent: true },
          },
        ],
      },
    ],
    outro: [{ kind: 'info', id: 'done', key: 'navigator.done' }],
  },
};
