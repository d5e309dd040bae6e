import { describe, expect, it } from 'vitest';
import { caseloadBlocks, renderCard } from '../../../src/bots/slack/blocks.js';
import { counselorModal } from '../../../src/bots/slack/home.js';
import { escapeMrkdwn } from '../../../src/bots/slack/mrkdwn.js';

const HOSTILE = '<!channel> <@U123> *bold* _it_ ~x~ `c` <http://evil.example|click> & Tom &amp;';

/** Every string Slack reads as mrkdwn: the message text and each mrkdwn text object, wherever it sits. */
function mrkdwnFields(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) mrkdwnFields(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const v of Object.values(o)) mrkdwnFields(v, out);
  }
  return out;
}

/** What of the hostile words Slack would act on: a mention, a link, formatting or a bare ampersand. */
function unsafe(field: string): string[] {
  const raw = ['<!channel>', '<@U123>', '<http://evil.example', '*bold*', '_it_', '~x~', '`c`', '& Tom'];
  return raw.filter((r) => field.includes(r));
}

describe('one escaping function for Slack mrkdwn, used in every field', () => {
  it('escapes mentions, links, formatting marks and ampersands', () => {
    const out = escapeMrkdwn(HOSTILE);
    expect(out).toBe(
      '&lt;!channel&gt; &lt;@U123&gt; ∗bold∗ ˍitˍ ∼x∼ ˋcˋ &lt;http://evil.example|click&gt; &amp; Tom &amp;amp;',
    );
    expect(unsafe(out)).toEqual([]);
  });

  it('a card: the notification text, the blocks and the student title', () => {
    const card = renderCard({
      locale: 'en',
      student: { id: 'S-1', firstName: HOSTILE, grade: HOSTILE },
      earlier: [{ text: HOSTILE, answer: HOSTILE }],
      current: { text: HOSTILE, choices: [], locale: 'en', dir: 'ltr', fellBack: false },
      multiple: false,
    });
    expect(unsafe(card.text)).toEqual([]);
    expect(card.text).toContain('&lt;!channel&gt;');
    const fields = mrkdwnFields(card.blocks);
    expect(fields.length).toBeGreaterThan(2);
    for (const f of fields) expect(unsafe(f), f).toEqual([]);
  });

  it('the App Home caseload and the counselor modal', () => {
    const blocks = caseloadBlocks(
      'en',
      '2026-W48',
      [{ id: 'S-1', firstName: HOSTILE, grade: '7', status: 'pending', details: [HOSTILE] }],
      { canResume: true },
    );
    const modal = counselorModal('en', `*${escapeMrkdwn(HOSTILE)}* · grade 7`, 'S-1');
    for (const f of [...mrkdwnFields(blocks), ...mrkdwnFields(modal)]) expect(unsafe(f), f).toEqual([]);
  });
});
