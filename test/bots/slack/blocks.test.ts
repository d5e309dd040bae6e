import { describe, expect, it } from 'vitest';
import { renderCard } from '../../../src/bots/slack/blocks.js';
import { parseCheckinCommand } from '../../../src/bots/slack/command.js';
import { createTexts } from '../../../src/i18n/index.js';

const texts = createTexts({ defaultLocale: 'en' });

describe('check-in card blocks', () => {
  it('one student: first name and grade, earlier answers one line each, the checklist, counselor and stop', () => {
    const current = texts.render(
      {
        key: 'navigator.needs',
        params: { name: 'Ana', grade: '7' },
        multiple: true,
        choices: ['food_security', 'transportation', 'technology_access'].map((a) => ({
          id: a,
          labelKey: `navigator.area.${a}`,
        })),
      },
      'en',
    );
    const card = renderCard({
      locale: 'en',
      student: { id: 'S-1', firstName: 'Ana', grade: '7' },
      earlier: [
        { text: texts.t('navigator.connect', 'en', { name: 'Ana' }).text, answer: 'Yes, we met' },
        { text: texts.t('navigator.wellbeing', 'en', { name: 'Ana' }).text, answer: 'Good' },
      ],
      current,
      multiple: true,
      question: { sid: 'sess-1', step: 'needs', st: 'S-1' },
    });
    expect(card.text.startsWith('Ana: ')).toBe(true);
    expect(card.blocks).toMatchSnapshot();
  });

  it('escapes mrkdwn in texts people typed', () => {
    const card = renderCard({
      locale: 'en',
      earlier: [{ text: 'Q', answer: '<@U1> & <!channel>' }],
      current: { text: 'Hi', choices: [], locale: 'en', dir: 'ltr', fellBack: false },
      multiple: false,
    });
    expect(JSON.stringify(card.blocks)).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(card.blocks)).not.toContain('<!channel>');
  });
});

describe('/checkin parsing', () => {
  it.each([
    ['', { kind: 'start' }],
    ['Resume', { kind: 'start' }],
    ['status', { kind: 'status' }],
    ['what', { kind: 'help' }],
    ['ooo off', { kind: 'ooo_off' }],
    ['ooo 2026-12-21 2026-12-31', { kind: 'ooo', from: '2026-12-21', to: '2026-12-31' }],
    ['ooo 2026-12-31 2026-12-21', { kind: 'invalid', problem: 'oooOrder' }],
    ['ooo 2026-02-30 2026-03-02', { kind: 'invalid', problem: 'oooInvalid' }],
    ['ooo 12/21 12/31', { kind: 'invalid', problem: 'oooInvalid' }],
    ['ooo 2026-11-01 2026-11-02', { kind: 'invalid', problem: 'oooPast' }],
    ['ooo 2026-12-01 2027-03-01', { kind: 'invalid', problem: 'oooTooLong', params: { days: 60 } }],
  ])('%j', (text, expected) => {
    expect(parseCheckinCommand(text, '2026-11-24')).toEqual(expected);
  });
});
