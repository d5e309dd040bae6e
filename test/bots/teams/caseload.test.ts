import { describe, expect, it } from 'vitest';
import { cardOf, latestCard, press, sent, submits, type, useTeamsHarness } from './harness.js';

const h = useTeamsHarness();

/** The text of a card, line by line, as a navigator reads it. */
function lines(card: Record<string, unknown>): string[] {
  return (card.body as Array<{ type: string; text?: string }>)
    .filter((b) => b.type === 'TextBlock')
    .map((b) => String(b.text));
}

describe('the caseload in Teams', () => {
  it('lists the week under the opening card', async () => {
    await type(h, 'start');
    const intro = cardOf(sent().find((c) => Array.isArray(c.body?.attachments))!);
    const text = lines(intro).join('\n');
    expect(text).toContain('**Your students this week (2026-W48)**');
    expect(text).toContain('**Ben** · grade 8 — Not started');
  });

  it('answers `status` with a fresh card: who is done, and Start or Resume', async () => {
    await type(h, 'status');
    expect(lines(latestCard())).toMatchInlineSnapshot(`
      [
        "**Your students this week (2026-W48)**",
        "0 of 3 done",
        "**Ana** · grade 7 — Not started",
        "Family can't be texted: no phone on file",
        "No open needs",
        "**Ben** · grade 8 — Not started",
        "Family can't be texted: no phone on file",
        "No open needs",
        "**Cam** · grade 7 — Not started",
        "Family can't be texted: no phone on file",
        "No open needs",
      ]
    `);
    expect(submits(latestCard()).map((s) => s.title)).toEqual(['Start check-ins']);

    await type(h, 'start');
    await press(h, { choice: 'absent' });
    await press(h, { choice: 'no' });
    await type(h, 'stop');
    await type(h, 'status');
    const text = lines(latestCard()).join('\n');
    // Absent is an attempt, not a check-in done.
    expect(text).toContain('0 of 3 done');
    expect(text).toContain('**Ana** · grade 7 — Tried, not reached');
    expect(submits(latestCard()).map((s) => s.title)).toEqual(['Resume check-ins']);
    await press(h, { action: 'start' });
    expect(JSON.stringify(latestCard())).toContain('**Ben** · grade 8');
  });
});
