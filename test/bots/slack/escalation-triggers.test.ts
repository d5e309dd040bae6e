import { describe, expect, it } from 'vitest';
import { createTexts } from '../../../src/i18n/index.js';
import { createTimerRunner } from '../../../src/jobs/timer-runner.js';
import { escalationRef, escalationTimerHandlers } from '../../../src/services/escalations.js';
import { FamilyInboundService } from '../../../src/services/family-inbound.js';
import { FamilySmsService } from '../../../src/services/family-sms.js';
import {
  completeTask,
  navigatorTaskHandlers,
  recordCallRequest,
} from '../../../src/services/navigator-tasks.js';
import { AuditRepository } from '../../../src/store/repositories/audit.js';
import { ConsentRepository } from '../../../src/store/repositories/consents.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { rowsOf } from '../../helpers/tables.js';
import {
  calls,
  click,
  DM,
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

// The whole loop of an escalation from each way one is raised, through the alert's buttons and modals as
// Slack sends them (signed), with every Web API call captured: the counselors' alert edited in place, the
// navigator told of the claim and of the resolution, each step audit-logged, and no message anyone but the
// holder reads naming the student, the family or what was written.

const h = useSlackHarness();

const CORA = { id: 'coun-1', user: 'U0CORA', name: 'Cora Counselor', school: 'SCH' };
const DEV = { id: 'coun-2', user: 'U0DEV', name: 'Dev Counselor', school: 'SCH' };
const DIST = { id: 'coun-d', user: 'U0DIST', name: 'Dina District', school: null };
const OTHER = { id: 'coun-o', user: 'U0OTHER', name: 'Otto Elsewhere', school: 'SCH2' };
const LEAD = { id: 'lead-1', user: 'U0LEAD', name: 'Lee Lead' };
const PHONE = '+15551230001';
const CRISIS_TEXT = 'por favor ayuda, no tenemos comida';
const STAFF_NOTE = 'Called mom at 555-123-0001 about the rent';
/** Details that must never reach a message anyone but the holder reads. */
const FORBIDDEN = [
  /\bAna\b/,
  /Ana Alvarez/,
  /Alvarez/,
  /Maria/,
  /comida/,
  /about the rent/,
  /5551230001/,
  /555-123/,
];

let tsSeq = 0;
/** Posts land in a DM per user ('D' + user id), so a test can tell whose alert was updated. */
const dmOf = (user: string) => (user.startsWith('U') ? `D${user.slice(1)}` : user);

async function seedPeople(harness: Harness): Promise<void> {
  responders.set('chat.postMessage', (a) => ({
    ok: true,
    channel: dmOf(String(a.channel)),
    ts: `1764000100.${String(++tsSeq).padStart(6, '0')}`,
  }));
  const roster = new RosterRepository(harness.ctx.db);
  const by = { actor: 'test', at: NOW - 86_400_000 };
  await roster.upsertSchool({ id: 'SCH2', name: 'Bayview High', timezone: 'America/Chicago' }, by);
  for (const c of [CORA, DEV, DIST, OTHER])
    await roster.upsertStaff(
      {
        id: c.id,
        schoolId: c.school,
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
  await roster.upsertStaff(
    {
      id: LEAD.id,
      schoolId: 'SCH',
      name: LEAD.name,
      email: 'lee@district.example',
      role: 'lead_navigator',
      slackUserId: LEAD.user,
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
  await new ConsentRepository(harness.ctx.db).record(
    { guardianId: 'g-1', status: 'granted', source: 'roster_import', locale: 'es' },
    by,
  );
}

type Blocks = Array<Record<string, unknown>>;
const posts = (method: string, channel: string) =>
  calls.filter((c) => c.method === method && [channel, dmOf(channel)].includes(String(c.args.channel)));

/** The alert as last posted or updated in a user's DM, and whether it was an update. */
function alertIn(user: string): { updated: boolean; blocks: Blocks; text: string } {
  const posted = posts('chat.postMessage', user).find((c) =>
    elements((c.args.blocks as Blocks | undefined) ?? []).some((e) =>
      String(e.action_id).startsWith('alert.'),
    ),
  );
  if (!posted) throw new Error(`no alert for ${user}`);
  const last = posts('chat.update', user).at(-1) ?? posted;
  return {
    updated: last !== posted,
    blocks: last.args.blocks as Blocks,
    text: String(last.args.text),
  };
}

const actionIds = (blocks: Blocks) => elements(blocks).map((e) => String(e.action_id));

/** Presses an alert's button as `user`, with the value the alert carries. */
async function press(user: string, actionId: string, blocks: Blocks) {
  const el = elements(blocks).find((e) => e.action_id === actionId);
  if (!el) throw new Error(`no ${actionId} in ${JSON.stringify(blocks)}`);
  await post(
    h,
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

const lastModal = () =>
  calls.filter((c) => c.method === 'views.open').at(-1)?.args.view as {
    callback_id: string;
    private_metadata: string;
    blocks: Blocks;
  };

/** Submits the newest modal as `user` with the given state values. */
async function submit(user: string, values: Record<string, unknown>) {
  const view = lastModal();
  if (!view) throw new Error('no modal opened');
  await post(
    h,
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

/** The people a Reassign modal offers, by their ids. */
function reassignOptions(): string[] {
  const view = lastModal();
  expect(view.callback_id).toBe('alert.reassign_modal');
  const select = view.blocks.find((b) => b.block_id === 'assignee')?.element as {
    options: { value: string }[];
  };
  return select.options.map((o) => o.value);
}

const ephemeralTo = (user: string) =>
  calls
    .filter((c) => c.method === 'chat.postEphemeral' && c.args.user === user)
    .map((c) => String(c.args.text));
const toNavigator = () =>
  calls
    .filter((c) => c.method === 'chat.postMessage' && [NAV_USER, DM].includes(String(c.args.channel)))
    .map((c) => String(c.args.text));
const theCase = () => rowsOf(h.ctx.db, 'escalations');
const auditOf = async (id: string) =>
  (await new AuditRepository(h.ctx.db).listFor('escalation', id)).map((a) => `${a.actor} ${a.action}`);

/** Every message the bot posted or edited outside the navigator's own conversation with it. */
function sharedMessages() {
  return calls.filter(
    (c) =>
      ['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(c.method) &&
      ![NAV_USER, DM].includes(String(c.args.channel)),
  );
}

function expectNothingForbidden(messages: typeof calls) {
  expect(messages.length).toBeGreaterThan(0);
  for (const call of messages) {
    const shown = JSON.stringify({ text: call.args.text, blocks: call.args.blocks });
    for (const pattern of FORBIDDEN) expect(shown, `${call.method} ${shown}`).not.toMatch(pattern);
  }
}

const selected = (value: string) => ({ type: 'static_select', selected_option: { value } });

describe('the loop of an escalation from each trigger', () => {
  it('a counselor follow-up answered "urgent" in a check-in: claim, acknowledge, note, reassign, resolve', async () => {
    await seedPeople(h);
    await slash(h, '');
    await click(h, { choice: 'absent' });
    await click(h, { choice: 'urgent' });
    const [raised, ...more] = await theCase();
    expect(more).toHaveLength(0);
    expect(raised).toMatchObject({
      studentId: 'S-1',
      trigger: 'navigator_request',
      urgent: true,
      source: 'navigator',
      raisedBy: 'staff:nav-1',
      status: 'open',
    });
    const ref = escalationRef(raised!.id);

    // The school's counselors get the alert; the district counselor (a backup) and another school's do not.
    for (const c of [CORA, DEV]) {
      const alert = alertIn(c.user);
      expect(alert.updated).toBe(false);
      expect(JSON.stringify(alert.blocks)).toContain(ref);
      expect(JSON.stringify(alert.blocks)).toContain('Urgent');
      expect(actionIds(alert.blocks)).toContain('alert.claim');
    }
    for (const c of [DIST, OTHER]) expect(posts('chat.postMessage', c.user)).toEqual([]);

    await press(CORA.user, 'alert.claim', alertIn(CORA.user).blocks);
    expect(ephemeralTo(CORA.user).at(-1)).toContain('You have claimed escalation');
    expect(toNavigator().some((t) => /was claimed by Cora Counselor/.test(t))).toBe(true);
    for (const c of [CORA, DEV]) {
      const alert = alertIn(c.user);
      expect(alert.updated).toBe(true);
      expect(JSON.stringify(alert.blocks)).toContain('Claimed by Cora Counselor');
      expect(actionIds(alert.blocks)).not.toContain('alert.claim');
    }

    await press(CORA.user, 'alert.acknowledge', alertIn(CORA.user).blocks);
    expect(JSON.stringify(alertIn(DEV.user).blocks)).toContain('Acknowledged by Cora Counselor');
    expect(actionIds(alertIn(CORA.user).blocks)).not.toContain('alert.acknowledge');

    await press(CORA.user, 'alert.note', alertIn(CORA.user).blocks);
    await submit(CORA.user, { note: { text: { type: 'plain_text_input', value: STAFF_NOTE } } });
    expect(ephemeralTo(CORA.user).at(-1)).toContain('Your note is added');

    // The Reassign list: who may take it (the school's other counselor, the district's), not the holder and
    // not a counselor of another school.
    await press(CORA.user, 'alert.reassign', alertIn(CORA.user).blocks);
    expect(reassignOptions().sort()).toEqual([DEV.id, DIST.id].sort());
    await submit(CORA.user, { assignee: { counselor: selected(DEV.id) } });
    expect((await theCase())[0]).toMatchObject({ status: 'claimed', counselorId: DEV.id });
    expect(JSON.stringify(alertIn(CORA.user).blocks)).toContain('Claimed by Dev Counselor');

    await press(DEV.user, 'alert.resolve', alertIn(DEV.user).blocks);
    await submit(DEV.user, {
      outcome: { outcome: selected('handled_in_school') },
      note: { text: { type: 'plain_text_input', value: 'Met with Ana Alvarez and her mother' } },
    });
    expect((await theCase())[0]).toMatchObject({ status: 'resolved', outcome: 'handled_in_school' });
    expect(toNavigator().some((t) => /was resolved: handled in school/.test(t))).toBe(true);
    for (const c of [CORA, DEV]) {
      const alert = alertIn(c.user);
      expect(alert.blocks.some((b) => b.type === 'actions')).toBe(false);
      expect(JSON.stringify(alert.blocks)).toContain('Resolved by Dev Counselor: handled in school');
    }

    expect(await auditOf(raised!.id)).toEqual([
      'staff:nav-1 create',
      `staff:${CORA.id} claim`,
      `staff:${CORA.id} acknowledge`,
      `staff:${CORA.id} note`,
      `staff:${CORA.id} reassign`,
      `staff:${DEV.id} note`,
      `staff:${DEV.id} resolve`,
    ]);
    expectNothingForbidden(sharedMessages());
    // The navigator's notices name the case, not the student's words or the counselor's notes.
    for (const t of toNavigator().filter((x) => x.includes(ref)))
      for (const pattern of FORBIDDEN.slice(1)) expect(t).not.toMatch(pattern);
  });

  it('a family crisis text: urgent alert, climbs to the backup and the lead, who reassigns; then resolved', async () => {
    await seedPeople(h);
    const texts = createTexts({ defaultLocale: 'en' });
    const inbound = new FamilyInboundService(h.ctx, {
      sms: new FamilySmsService(h.ctx, texts),
      continueFamilyDialog: () => ({ ok: true, applied: { answers: 0 } }),
    });
    const outcome = await inbound.receive({ channel: 'sms', eventId: 'SM1', from: PHONE, body: CRISIS_TEXT });
    expect(outcome).toMatchObject({ action: 'crisis', guardianId: 'g-1' });
    await h.relay.runOnce();
    const [raised] = await theCase();
    expect(raised).toMatchObject({ urgent: true, source: 'family', raisedBy: 'guardian:g-1' });
    const ref = escalationRef(raised!.id);
    expect(JSON.stringify(alertIn(CORA.user).blocks)).toContain('Urgent');
    expect(JSON.stringify(alertIn(CORA.user).blocks)).toContain('by the family');

    // Nobody acts: at 30 minutes the school's counselors are reminded and the district one is the backup;
    // 30 minutes later the lead navigator gets the case with buttons to act on.
    const runner = createTimerRunner({ ctx: h.ctx, handlers: escalationTimerHandlers() });
    h.ctx.clock.set(NOW + 30 * 60_000);
    await runner.runOnce();
    await h.relay.runOnce();
    const textsTo = (user: string) => posts('chat.postMessage', user).map((c) => JSON.stringify(c.args));
    expect(textsTo(CORA.user).length).toBe(2);
    expect(textsTo(DEV.user).length).toBe(2);
    expect(textsTo(DIST.user).length).toBe(1);
    expect(textsTo(DIST.user)[0]).toContain(ref);
    expect(textsTo(LEAD.user)).toEqual([]);
    h.ctx.clock.set(NOW + 60 * 60_000);
    await runner.runOnce();
    await h.relay.runOnce();
    const overdue = alertIn(LEAD.user);
    expect(JSON.stringify(overdue.blocks)).toContain(ref);
    expect(actionIds(overdue.blocks)).not.toContain('alert.claim');
    expect(actionIds(overdue.blocks)).toEqual(expect.arrayContaining(['alert.reassign', 'alert.resolve']));

    // The lead hands it to a counselor of the school: the navigator learns it is claimed.
    await press(LEAD.user, 'alert.reassign', overdue.blocks);
    expect(reassignOptions().sort()).toEqual([CORA.id, DEV.id, DIST.id].sort());
    await submit(LEAD.user, { assignee: { counselor: selected(CORA.id) } });
    expect((await theCase())[0]).toMatchObject({ status: 'claimed', counselorId: CORA.id });
    expect(toNavigator().some((t) => /was claimed by Cora Counselor/.test(t))).toBe(true);
    expect(JSON.stringify(alertIn(DEV.user).blocks)).toContain('Claimed by Cora Counselor');

    await press(CORA.user, 'alert.acknowledge', alertIn(CORA.user).blocks);
    await press(CORA.user, 'alert.note', alertIn(CORA.user).blocks);
    await submit(CORA.user, { note: { text: { type: 'plain_text_input', value: STAFF_NOTE } } });
    // The private view, for the holder alone, carries the family's own words.
    await press(CORA.user, 'alert.details', alertIn(CORA.user).blocks);
    expect(JSON.stringify(lastModal())).toContain('no tenemos comida');
    await press(CORA.user, 'alert.resolve', alertIn(CORA.user).blocks);
    await submit(CORA.user, { outcome: { outcome: selected('connected_to_service') } });
    expect((await theCase())[0]).toMatchObject({ status: 'resolved', outcome: 'connected_to_service' });
    expect(toNavigator().some((t) => /was resolved: connected to a service/.test(t))).toBe(true);
    expect(JSON.stringify(alertIn(LEAD.user).blocks)).toContain('Resolved by Cora Counselor');
    expect(alertIn(LEAD.user).blocks.some((b) => b.type === 'actions')).toBe(false);

    expect(await auditOf(raised!.id)).toEqual([
      'guardian:g-1 create',
      'system reminder',
      'system overdue',
      `staff:${LEAD.id} reassign`,
      `staff:${CORA.id} acknowledge`,
      `staff:${CORA.id} note`,
      `staff:${CORA.id} view`,
      `staff:${CORA.id} resolve`,
    ]);
    expectNothingForbidden(sharedMessages());
    for (const t of toNavigator()) for (const pattern of FORBIDDEN) expect(t).not.toMatch(pattern);
  });

  it('an undone call request reaches the lead navigator, who closes it; nothing identifying is posted', async () => {
    await seedPeople(h);
    const created = await h.ctx.db.transaction((tx) =>
      recordCallRequest(tx, h.ctx, { guardianId: 'g-1', sessionId: 'fam-session-1' }),
    );
    expect(created).toHaveLength(1);
    await h.relay.runOnce();
    expect(toNavigator().some((t) => t.includes('Ana'))).toBe(true);
    expect(posts('chat.postMessage', LEAD.user)).toEqual([]);

    // Tuesday 09:00 plus two school days: Thursday 09:00. Nothing before it.
    const runner = createTimerRunner({ ctx: h.ctx, handlers: navigatorTaskHandlers() });
    h.ctx.clock.set(NOW + 2 * 86_400_000 - 60_000);
    expect((await runner.runOnce()).fired).toBe(0);
    h.ctx.clock.set(NOW + 2 * 86_400_000);
    await runner.runOnce();
    await h.relay.runOnce();
    const toLead = posts('chat.postMessage', LEAD.user).map((c) => String(c.args.text));
    expect(toLead).toHaveLength(1);
    expect(toLead[0]).toContain('A family asked Nia Navigator for a call about A. A., grade 7');
    // Counselors are not told of a call request: it is the navigators' promise.
    for (const c of [CORA, DEV, DIST]) expect(posts('chat.postMessage', c.user)).toEqual([]);

    const done = await completeTask(h.ctx, created[0]!, LEAD.id);
    expect(done.ok).toBe(true);
    expect(await completeTask(h.ctx, created[0]!, LEAD.id)).toMatchObject({
      ok: false,
      problem: 'task:already_done',
    });
    const audit = (await new AuditRepository(h.ctx.db).listFor('navigator_task', created[0]!)).map(
      (a) => `${a.actor} ${a.action}`,
    );
    expect(audit).toEqual(['guardian:g-1 create', 'system overdue', `staff:${LEAD.id} done`]);
    expect(await theCase()).toEqual([]);
    expectNothingForbidden(sharedMessages());
  });
});
