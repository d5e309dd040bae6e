import { describe, expect, it } from 'vitest';
import { staffText } from '../../../src/i18n/staff.js';
import { actOnEscalation } from '../../../src/services/escalation-actions.js';
import { escalationRef, raiseEscalation } from '../../../src/services/escalations.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { SmsRepository } from '../../../src/store/repositories/sms.js';
import { rowsOf } from '../../helpers/tables.js';
import {
  calls,
  elements,
  FORM,
  type Harness,
  interactionBody,
  NAV_USER,
  NOW,
  post,
  responders,
  slash,
  useSlackHarness,
} from './harness.js';

const h = useSlackHarness();

const CORA = { id: 'coun-1', user: 'U0CORA', name: 'Cora Counselor' };
const DEV = { id: 'coun-2', user: 'U0DEV', name: 'Dev Counselor' };
const NOTE = 'Said things at home are hard';
const FAMILY_WORDS = 'She told me she wants to hurt herself';
const PHONE = '+15551230001';
/** Details that must never reach a message others can read. */
const FORBIDDEN = [/\bAna\b/, /Alvarez/, /Maria/, /things at home/, /hurt herself/, /5551230001/, /555-123/];

let tsSeq = 0;
/** Posts land in a DM per user ('D' + user id), so a test can tell whose alert was updated. */
function dmOf(user: string): string {
  return user.startsWith('U') ? `D${user.slice(1)}` : user;
}

async function seedPeople(harness: Harness): Promise<void> {
  responders.set('chat.postMessage', (a) => ({
    ok: true,
    channel: dmOf(String(a.channel)),
    ts: `1764000100.${String(++tsSeq).padStart(6, '0')}`,
  }));
  const roster = new RosterRepository(harness.ctx.db);
  const by = { actor: 'test', at: NOW - 86_400_000 };
  for (const c of [CORA, DEV])
    await roster.upsertStaff(
      {
        id: c.id,
        schoolId: 'SCH',
        name: c.name,
        email: `${c.id}@district.example`,
        role: 'counselor',
        slackUserId: c.user,
        teamsUserId: null,
        timezone: 'America/Chicago',
        locale: 'en',
      },
      by,
    );
  await roster.upsertGuardian(
    { id: 'g-1', name: 'Maria Alvarez', phone: PHONE, locale: 'es', timezone: 'America/Chicago' },
    by,
  );
  await roster.setGuardians('S-1', [{ guardianId: 'g-1', relationship: 'mother' }], by);
  await new SmsRepository(harness.ctx.db).recordFamilyText({
    id: 'ft-1',
    channel: 'sms',
    eventId: 'SM1',
    guardianId: 'g-1',
    address: PHONE,
    body: FAMILY_WORDS,
    meaning: 'note',
    receivedAt: NOW - 3_600_000,
  });
}

async function seedCase(harness: Harness): Promise<string> {
  await seedPeople(harness);
  const row = await harness.ctx.db.transaction((tx) =>
    raiseEscalation(tx, harness.ctx, {
      studentId: 'S-1',
      trigger: 'self_harm',
      urgent: true,
      source: 'navigator',
      raisedBy: 'staff:nav-1',
      summary: 'self_harm S-1',
      note: NOTE,
    }),
  );
  await harness.relay.runOnce();
  return row.id;
}

type Blocks = Array<Record<string, unknown>>;

/** The alert as last posted or updated in a user's DM. */
function alertIn(user: string): { ts: string; blocks: Blocks; text: string } {
  const dm = dmOf(user);
  const posted = calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === user);
  if (!posted) throw new Error(`no alert for ${user}`);
  const updates = calls.filter((c) => c.method === 'chat.update' && c.args.channel === dm);
  const last = updates.at(-1) ?? posted;
  const ts = String(updates.at(-1)?.args.ts ?? '');
  return { ts, blocks: last.args.blocks as Blocks, text: String(last.args.text) };
}

function buttonOf(blocks: Blocks, actionId: string): Record<string, unknown> | undefined {
  return elements(blocks).find((e) => e.action_id === actionId);
}

/** Presses an alert's button as `user`, with the value the alert carries. */
async function press(harness: Harness, user: string, actionId: string, blocks: Blocks) {
  const el = buttonOf(blocks, actionId);
  if (!el) throw new Error(`no ${actionId} in ${JSON.stringify(blocks)}`);
  await post(
    harness,
    interactionBody({
      type: 'block_actions',
      user: { id: user },
      channel: { id: dmOf(user) },
      message: { ts: '1764000100.000001', blocks },
      actions: [
        {
          action_id: actionId,
          block_id: 'alert_actions',
          value: el.value,
          type: 'button',
          action_ts: `${++tsSeq}.9`,
        },
      ],
    }),
    FORM,
  );
}

/** Submits the newest modal opened for `user` with the given state values. */
async function submit(harness: Harness, user: string, values: Record<string, unknown>) {
  const opened = calls.filter((c) => c.method === 'views.open').at(-1);
  const view = opened?.args.view as { callback_id: string; private_metadata: string };
  if (!view) throw new Error('no modal opened');
  await post(
    harness,
    interactionBody({
      type: 'view_submission',
      user: { id: user },
      view: {
        id: 'V1',
        hash: '1',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values },
      },
    }),
    FORM,
  );
}

const ephemeralTo = (user: string) =>
  calls
    .filter((c) => c.method === 'chat.postEphemeral' && c.args.user === user)
    .map((c) => String(c.args.text));
const rowOf = async (harness: Harness) => (await rowsOf(harness.ctx.db, 'escalations'))[0]!;
const escaped = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

describe('escalation alerts in Slack', () => {
  it('carries the minimum: reference, initials and grade, school, concern, urgency, who raised it and when', async () => {
    const id = await seedCase(h);
    const { blocks, text } = alertIn(CORA.user);
    const shown = JSON.stringify(blocks);
    expect(shown).toContain(escalationRef(id));
    expect(shown).toContain('A. A., grade 7');
    expect(shown).toContain('Lincoln Middle');
    expect(shown).toContain('possible self-harm');
    expect(shown).toContain('Urgent');
    expect(shown).toContain('by a navigator, Tue 24 Nov, 09:00 CST');
    expect(text).toContain(escalationRef(id));
    expect(elements(blocks).map((e) => e.action_id)).toEqual([
      'alert.claim',
      'alert.acknowledge',
      'alert.note',
      'alert.reassign',
      'alert.resolve',
      'alert.details',
    ]);
  });

  it('is claimed from the button: the claimer is told, and every copy loses its Claim button', async () => {
    await seedCase(h);
    await press(h, CORA.user, 'alert.claim', alertIn(CORA.user).blocks);
    expect(await rowOf(h)).toMatchObject({ status: 'claimed', counselorId: CORA.id });
    expect(ephemeralTo(CORA.user).at(-1)).toContain('You have claimed escalation');
    for (const user of [CORA.user, DEV.user]) {
      const alert = alertIn(user);
      expect(alert.ts).not.toBe('');
      expect(buttonOf(alert.blocks, 'alert.claim')).toBeUndefined();
      expect(JSON.stringify(alert.blocks)).toContain('Claimed by Cora Counselor');
    }
  });

  it('refuses a navigator with a sentence, and leaves the case open', async () => {
    const id = await seedCase(h);
    await press(h, NAV_USER, 'alert.claim', alertIn(CORA.user).blocks);
    expect((await rowOf(h)).status).toBe('open');
    expect(ephemeralTo(NAV_USER)).toEqual([
      escaped(staffText('en', 'escalationNavigatorCannot', { ref: escalationRef(id) })),
    ]);
  });

  it('names who holds it when a second counselor claims', async () => {
    await seedCase(h);
    const before = alertIn(DEV.user).blocks;
    await press(h, CORA.user, 'alert.claim', alertIn(CORA.user).blocks);
    // Dev presses the Claim of the alert as it was before it was updated.
    await press(h, DEV.user, 'alert.claim', before);
    expect((await rowOf(h)).counselorId).toBe(CORA.id);
    expect(ephemeralTo(DEV.user).at(-1)).toContain('Cora Counselor already holds escalation');
  });

  it('is resolved with an outcome from the modal, and the updated alert has no buttons left', async () => {
    await seedCase(h);
    await press(h, CORA.user, 'alert.claim', alertIn(CORA.user).blocks);
    await press(h, CORA.user, 'alert.resolve', alertIn(CORA.user).blocks);
    const modal = calls.filter((c) => c.method === 'views.open').at(-1)?.args.view as Record<string, unknown>;
    expect(modal.callback_id).toBe('alert.resolve_modal');
    expect(JSON.stringify(modal)).toContain('connected to a service');
    await submit(h, CORA.user, {
      outcome: { outcome: { type: 'static_select', selected_option: { value: 'connected_to_service' } } },
      note: { text: { type: 'plain_text_input', value: 'Family met the clinic nurse' } },
    });
    expect(await rowOf(h)).toMatchObject({ status: 'resolved', outcome: 'connected_to_service' });
    expect(ephemeralTo(CORA.user).at(-1)).toContain('is resolved (connected to a service)');
    const update = calls
      .filter((c) => c.method === 'chat.update' && c.args.channel === dmOf(CORA.user))
      .at(-1)!;
    const blocks = update.args.blocks as Blocks;
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('Resolved by Cora Counselor: connected to a service');
    expect(JSON.stringify(blocks)).not.toContain('clinic nurse');
  });

  it('opens the private details for the counselor holding it, and refuses anyone else', async () => {
    await seedCase(h);
    await press(h, DEV.user, 'alert.details', alertIn(DEV.user).blocks);
    expect(calls.some((c) => c.method === 'views.open')).toBe(false);
    expect(ephemeralTo(DEV.user).at(-1)).toContain('Only the counselor holding escalation');

    await press(h, CORA.user, 'alert.claim', alertIn(CORA.user).blocks);
    await press(h, CORA.user, 'alert.details', alertIn(CORA.user).blocks);
    const opened = calls.filter((c) => c.method === 'views.open');
    expect(opened).toHaveLength(1);
    const view = JSON.stringify(opened[0]!.args.view);
    expect(view).toContain('Ana Alvarez');
    expect(view).toContain('Nia Navigator');
    expect(view).toContain(NOTE);
    expect(view).toContain(FAMILY_WORDS);
  });

  it('reassigns from a modal listing the counselors, and takes notes without showing them', async () => {
    await seedCase(h);
    await press(h, CORA.user, 'alert.claim', alertIn(CORA.user).blocks);
    await press(h, CORA.user, 'alert.note', alertIn(CORA.user).blocks);
    await submit(h, CORA.user, {
      note: { text: { type: 'plain_text_input', value: 'Called mom at 555-123-0001' } },
    });
    expect(ephemeralTo(CORA.user).at(-1)).toContain('Your note is added');
    await press(h, CORA.user, 'alert.reassign', alertIn(CORA.user).blocks);
    const modal = JSON.stringify(calls.filter((c) => c.method === 'views.open').at(-1)?.args.view);
    expect(modal).toContain(DEV.name);
    await submit(h, CORA.user, {
      assignee: { counselor: { type: 'static_select', selected_option: { value: DEV.id } } },
    });
    expect(await rowOf(h)).toMatchObject({ status: 'claimed', counselorId: DEV.id });
    expect(JSON.stringify(alertIn(CORA.user).blocks)).toContain('Claimed by Dev Counselor');
  });

  it('updates each alert once for changes made before the relay runs, showing the latest', async () => {
    const id = await seedCase(h);
    expect((await actOnEscalation(h.ctx, id, CORA.id, { kind: 'claim' })).ok).toBe(true);
    expect((await actOnEscalation(h.ctx, id, CORA.id, { kind: 'acknowledge' })).ok).toBe(true);
    await h.relay.runOnce();
    const updates = calls.filter((c) => c.method === 'chat.update');
    expect(updates.map((c) => c.args.channel).sort()).toEqual([dmOf(CORA.user), dmOf(DEV.user)].sort());
    for (const u of updates)
      expect(JSON.stringify(u.args.blocks)).toContain('Acknowledged by Cora Counselor');
  });

  it('runs the whole loop from a navigator asking for a counselor: claimed, resolved, and the navigator told', async () => {
    await seedPeople(h);
    await slash(h, '');
    await post(
      h,
      interactionBody({
        type: 'view_submission',
        user: { id: NAV_USER },
        view: {
          id: 'VASK',
          hash: '1',
          callback_id: 'checkin.counselor_modal',
          private_metadata: JSON.stringify({ st: 'S-1' }),
          state: { values: { note: { text: { type: 'plain_text_input', value: NOTE } } } },
        },
      }),
      FORM,
    );
    const alert = alertIn(CORA.user);
    expect(JSON.stringify(alert.blocks)).toContain('A. A., grade 7');
    expect(JSON.stringify(alert.blocks)).toContain('navigator asked for a counselor');
    await press(h, CORA.user, 'alert.claim', alert.blocks);
    const toNavigator = () =>
      calls
        .filter((c) => c.method === 'chat.postMessage' && c.args.channel === NAV_USER)
        .map((c) => String(c.args.text));
    expect(toNavigator().some((t) => /was claimed by Cora Counselor/.test(t))).toBe(true);
    await press(h, CORA.user, 'alert.resolve', alertIn(CORA.user).blocks);
    await submit(h, CORA.user, {
      outcome: { outcome: { type: 'static_select', selected_option: { value: 'connected_to_service' } } },
    });
    expect(toNavigator().some((t) => /was resolved: connected to a service/.test(t))).toBe(true);
    // The navigator's own check-in card names the student by first name; the counselors' alerts never do.
    const counselorDms = [dmOf(CORA.user), dmOf(DEV.user)];
    const alerts = calls.filter(
      (c) => c.method === 'chat.update' && counselorDms.includes(String(c.args.channel)),
    );
    expect(alerts.length).toBeGreaterThanOrEqual(4);
    for (const call of alerts) {
      const shown = JSON.stringify(call.args.blocks);
      for (const pattern of FORBIDDEN) expect(shown).not.toMatch(pattern);
    }
  });

  it('never puts a name, the note, the family words or a phone into a posted message', async () => {
    await seedCase(h);
    await press(h, CORA.user, 'alert.claim', alertIn(CORA.user).blocks);
    await press(h, CORA.user, 'alert.note', alertIn(CORA.user).blocks);
    await submit(h, CORA.user, {
      note: { text: { type: 'plain_text_input', value: 'Called mom at 555-123-0001' } },
    });
    await press(h, CORA.user, 'alert.acknowledge', alertIn(CORA.user).blocks);
    await press(h, CORA.user, 'alert.details', alertIn(CORA.user).blocks);
    await press(h, CORA.user, 'alert.resolve', alertIn(CORA.user).blocks);
    await submit(h, CORA.user, {
      outcome: { outcome: { type: 'static_select', selected_option: { value: 'handled_in_school' } } },
    });
    expect((await rowOf(h)).status).toBe('resolved');
    const posted = calls.filter((c) =>
      ['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(c.method),
    );
    expect(posted.filter((c) => c.method === 'chat.update').length).toBeGreaterThanOrEqual(4);
    for (const call of posted) {
      const shown = JSON.stringify({ text: call.args.text, blocks: call.args.blocks });
      for (const pattern of FORBIDDEN) expect(shown, `${call.method} ${shown}`).not.toMatch(pattern);
    }
  });
});
