import { describe, expect, it } from 'vitest';
import { CheckinRepository } from '../../../src/store/repositories/checkins.js';
import { NeedRepository } from '../../../src/store/repositories/needs.js';
import { rowsOf } from '../../helpers/tables.js';
import {
  activity,
  cardOf,
  deliver,
  latestCard,
  press,
  sent,
  submits,
  type,
  useTeamsHarness,
} from './harness.js';

const h = useTeamsHarness();
const WEEK = '2026-W48';

const statuses = async () =>
  Object.fromEntries(
    (await new CheckinRepository(h.ctx.db).forNavigator('nav-1', WEEK)).map((c) => [c.studentId, c.status]),
  );
const position = async () => {
  const row = await new CheckinRepository(h.ctx.db).activeSession('nav-1', 'navigator');
  return row ? (row.state as { position: { stepId: string } }).position.stepId : null;
};
const cardText = () => JSON.stringify(latestCard());

describe('a navigator week in Teams', () => {
  it('runs three students with buttons, the needs checklist, a typed answer, a note and a resume after stopping', async () => {
    await type(h, 'start');
    expect(cardText()).toContain('**Ana** · grade 7');

    // Ana: a button, a typed answer, a note on the card, the checklist with Done.
    await press(h, { choice: 'met' });
    expect(await position()).toBe('strengths');
    await type(h, 'Great at drawing');
    expect(await position()).toBe('interests');
    expect(cardText()).toContain('✓');
    await press(h, { action: 'note' }, { note: 'Soccer and robotics' });
    expect(await position()).toBe('academics');
    await press(h, { choice: '4' });
    await press(h, { choice: 'on_track' });
    await press(h, { choice: 'good' });
    expect(await position()).toBe('needs');
    const checklist = JSON.stringify(latestCard());
    expect(checklist).toContain('"isMultiSelect":true');
    await press(h, { action: 'done' }, { picked: '' });
    expect(await position()).toBe('needs');
    expect(String(sent().at(-1)?.body?.text)).toContain('Tick all that apply');
    await press(h, { action: 'done' }, { picked: 'food_security,transportation' });
    expect(await position()).toBe('celebrate');
    await press(h, { choice: 'skip' });
    await press(h, { choice: 'no' });
    expect((await statuses())['S-1']).toBe('completed');
    const areas = (await new NeedRepository(h.ctx.db).needsOf(['S-1'])).map((n) => n.area).sort();
    expect(areas).toEqual(['food_security', 'transportation']);

    // Ben: one answer, stop, resume by typing; an old button does not answer the newer question.
    expect(cardText()).toContain('**Ben** · grade 8');
    const benFirst = submits(latestCard()).find((s) => s.data.c === 'met')!;
    await press(h, { choice: 'met' });
    await press(h, { action: 'stop' });
    expect((await statuses())['S-2']).toBe('in_progress');
    await type(h, 'resume');
    expect(await position()).toBe('strengths');
    await deliver(h, activity({ text: undefined, value: benFirst.data }));
    expect(await position()).toBe('strengths');
    expect(String(sent().at(-1)?.body?.text)).toContain('moved on');
    for (const step of ['skip', 'skip', '3', 'some_missed', 'okay']) await press(h, { choice: step });
    await press(h, { action: 'done' }, { picked: 'none' });
    await press(h, { choice: 'skip' });
    await press(h, { choice: 'no' });
    expect((await statuses())['S-2']).toBe('completed');

    // Cam: ask a counselor from the card, then finish the week.
    await press(h, { action: 'counselor' }, { note: 'Seemed withdrawn' });
    const raised = await rowsOf(h.ctx.db, 'escalations');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ studentId: 'S-3', trigger: 'navigator_request' });
    await press(h, { choice: 'absent' });
    await press(h, { choice: 'no' });
    expect(await statuses()).toEqual({ 'S-1': 'completed', 'S-2': 'completed', 'S-3': 'completed' });

    // One card per student, updated in place: far more updates than new posts.
    const cards = sent().filter((c) => Array.isArray(c.body?.attachments));
    const posts = cards.filter((c) => c.method === 'POST').length;
    const updates = cards.filter((c) => c.method === 'PUT').length;
    expect(posts).toBeLessThanOrEqual(9);
    expect(updates).toBeGreaterThan(posts);
    expect(cardOf(cards.at(-1)!)).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
  });
});
