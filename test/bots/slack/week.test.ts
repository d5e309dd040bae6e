import { describe, expect, it } from 'vitest';
import { CheckinRepository } from '../../../src/store/repositories/checkins.js';
import { NeedRepository } from '../../../src/store/repositories/needs.js';
import { rowsOf } from '../../helpers/tables.js';
import {
  calls,
  click,
  clickWithoutCard,
  elements,
  FORM,
  interactionBody,
  latestCard,
  post,
  say,
  slash,
  useSlackHarness,
  WEEK,
} from './harness.js';

const h = useSlackHarness();

const statuses = async () =>
  Object.fromEntries(
    (await new CheckinRepository(h.ctx.db).forNavigator('nav-1', WEEK)).map((c) => [c.studentId, c.status]),
  );
const position = async () => {
  const row = await new CheckinRepository(h.ctx.db).activeSession('nav-1', 'navigator');
  return row ? (row.state as { position: { stepId: string } }).position.stepId : null;
};
const cardText = () => JSON.stringify(latestCard().blocks);

function submitView(callbackId: string, privateMetadata: string, values: Record<string, unknown>) {
  return post(
    h,
    interactionBody({
      type: 'view_submission',
      view: {
        id: `V${callbackId}`,
        hash: '1',
        callback_id: callbackId,
        private_metadata: privateMetadata,
        state: { values },
      },
    }),
    FORM,
  );
}

describe('a navigator week in Slack', () => {
  it('runs three students with buttons, checkboxes, a typed answer, a modal note and a resume after stopping', async () => {
    // /checkin starts the week: intro card with the caseload, then Ana's card.
    expect((await slash(h, '')).status).toBe(200);
    const intro = calls.find((c) => c.method === 'chat.postMessage')!;
    expect(JSON.stringify(intro.args.blocks)).toContain('*Ben* · grade 8');
    expect(cardText()).toContain('*Ana* · grade 7');

    // Ana: buttons, a typed answer in the DM, a note in a modal, checkboxes + Done.
    await click(h, { choice: 'met' });
    expect(await position()).toBe('strengths');
    expect(cardText()).toContain('Write a note');
    await say(h, 'Great at drawing');
    expect(await position()).toBe('interests');
    expect(cardText()).toContain('✓');

    await click(h, { actionId: 'checkin.note' });
    const opened = calls.filter((c) => c.method === 'views.open').at(-1)!;
    const modal = opened.args.view as { callback_id: string; private_metadata: string };
    expect(modal.callback_id).toBe('checkin.note_modal');
    await submitView(modal.callback_id, modal.private_metadata, {
      note: { text: { type: 'plain_text_input', value: 'Soccer and robotics' } },
    });
    expect(await position()).toBe('academics');

    await click(h, { choice: '4' });
    await click(h, { choice: 'on_track' });
    await click(h, { choice: 'good' });
    expect(await position()).toBe('needs');
    const checkboxes = elements(latestCard().blocks).filter((e) => e.type === 'checkboxes');
    expect(checkboxes.length).toBe(2); // 14 options in groups of at most ten
    await click(
      h,
      { actionId: 'checkin.done' },
      {
        state: {
          values: {
            answer: {
              'checkin.pick.0': { type: 'checkboxes', selected_options: [{ value: 'food_security' }] },
              'checkin.pick.1': { type: 'checkboxes', selected_options: [{ value: 'transportation' }] },
            },
          },
        },
      },
    );
    expect(await position()).toBe('celebrate');
    await click(h, { choice: 'skip' });
    await click(h, { choice: 'no' });
    expect((await statuses())['S-1']).toBe('completed');
    const areas = (await new NeedRepository(h.ctx.db).needsOf(['S-1'])).map((n) => n.area).sort();
    expect(areas).toEqual(['food_security', 'transportation']);
    expect((await new CheckinRepository(h.ctx.db).strengthsOf('S-1')).map((s) => s.text).sort()).toEqual([
      'Great at drawing',
      'Soccer and robotics',
    ]);

    // Ben: answer one question, stop, then resume with /checkin.
    expect(cardText()).toContain('*Ben* · grade 8');
    await click(h, { choice: 'met' });
    await click(h, { actionId: 'checkin.stop' });
    expect((await statuses())['S-2']).toBe('in_progress');
    await slash(h, 'resume');
    expect(await position()).toBe('strengths');
    // A button left over from an earlier question ('connect') must not answer the current one.
    const before = await position();
    await clickWithoutCard(h, { sid: 't-2', step: 'connect', st: 'S-2', c: 'met' }, '9.9');
    expect(await position()).toBe(before);
    expect(calls.filter((c) => c.method === 'chat.postEphemeral').length).toBeGreaterThan(0);
    for (const step of ['skip', 'skip', '3', 'some_missed', 'okay']) await click(h, { choice: step });
    await click(
      h,
      { actionId: 'checkin.done' },
      { state: { values: { answer: { 'checkin.pick.1': { selected_options: [{ value: 'none' }] } } } } },
    );
    await click(h, { choice: 'skip' });
    await click(h, { choice: 'no' });
    expect((await statuses())['S-2']).toBe('completed');

    // Cam: ask a counselor from the card (modal with a note), then finish the week.
    await click(h, { actionId: 'checkin.counselor' });
    const counselor = calls.filter((c) => c.method === 'views.open').at(-1)!.args.view as {
      callback_id: string;
      private_metadata: string;
    };
    await submitView(counselor.callback_id, counselor.private_metadata, {
      note: { text: { value: 'Seemed withdrawn' } },
    });
    const raised = await rowsOf(h.ctx.db, 'escalations');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      studentId: 'S-3',
      trigger: 'navigator_request',
      note: 'Seemed withdrawn',
    });
    await click(h, { choice: 'absent' });
    await click(h, { choice: 'no' });
    expect(await statuses()).toEqual({ 'S-1': 'completed', 'S-2': 'completed', 'S-3': 'completed' });
    expect(await new CheckinRepository(h.ctx.db).activeSession('nav-1', 'navigator')).toBeUndefined();

    // The DM stays short: one message per student plus intro, pause, counselor note, resume and outro.
    const posts = calls.filter((c) => c.method === 'chat.postMessage').length;
    const updates = calls.filter((c) => c.method === 'chat.update').length;
    expect(posts).toBeLessThanOrEqual(9);
    expect(updates).toBeGreaterThan(posts);
  });
});
