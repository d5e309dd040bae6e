import { describe, expect, it } from 'vitest';
import { staffText } from '../../../src/i18n/staff.js';
import { escalationRef, raiseEscalation } from '../../../src/services/escalations.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { SmsRepository } from '../../../src/store/repositories/sms.js';
import { rowsOf } from '../../helpers/tables.js';
import {
  activity,
  CHAT,
  type ConnectorCall,
  cardOf,
  conversationOf,
  deliver,
  type Harness,
  NOW,
  sent,
  submits,
  useTeamsHarness,
} from './harness.js';

const h = useTeamsHarness();

const CORA = { id: 'coun-1', aad: 'aad-coun-1', chat: 'a:chat-counselor-1', name: 'Cora Counselor' };
const DEV = { id: 'coun-2', aad: 'aad-coun-2', chat: 'a:chat-counselor-2', name: 'Dev Counselor' };
const NOTE = 'Said things at home are hard';
const FAMILY_WORDS = 'She told me she wants to hurt herself';
const PHONE = '+15551230001';
const FORBIDDEN = [/\bAna\b/, /Alvarez/, /Maria/, /things at home/, /hurt herself/, /5551230001/, /555-123/];

type Person = typeof CORA;

/** An activity from a counselor in their personal chat with the bot. */
const from = (p: Person, fields: Record<string, unknown>) =>
  activity({
    from: { id: `29:${p.id}`, aadObjectId: p.aad },
    conversation: { id: p.chat, conversationType: 'personal', tenantId: 'tenant-1' },
    ...fields,
  });

async function seedCase(harness: Harness): Promise<string> {
  const roster = new RosterRepository(harness.ctx.db);
  const by = { actor: 'test', at: NOW - 86_400_000 };
  for (const c of [CORA, DEV]) {
    await roster.upsertStaff(
      {
        id: c.id,
        schoolId: 'SCH',
        name: c.name,
        email: `${c.id}@district.example`,
        role: 'counselor',
        slackUserId: null,
        teamsUserId: c.aad,
        timezone: 'America/Chicago',
        locale: 'en',
      },
      by,
    );
    // Installing the app (here: writing to it) is what lets the bot write to them.
    await deliver(harness, from(c, { text: 'help' }));
  }
  // The navigator's chat too, so the navigator's notices can be sent.
  await deliver(harness, activity({ text: 'help' }));
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

const withCard = (c: ConnectorCall) => Array.isArray(c.body?.attachments);
/** The alert card as last sent or updated in a person's chat. */
function alertIn(p: Person): Record<string, unknown> {
  const last = sent()
    .filter((c) => conversationOf(c) === p.chat && withCard(c))
    .filter((c) => JSON.stringify(cardOf(c)).includes('escalation'))
    .at(-1);
  if (!last) throw new Error(`no alert in ${p.chat}`);
  return cardOf(last);
}
const texts = (p: Person) =>
  sent()
    .filter((c) => conversationOf(c) === p.chat && typeof c.body?.text === 'string')
    .map((c) => String(c.body?.text));
const doOf = (card: Record<string, unknown>) => submits(card).map((s) => s.data.do);
/** Presses an alert's button (with its panel's inputs) as `p`, in their personal chat. */
async function press(
  harness: Harness,
  p: Person,
  card: Record<string, unknown>,
  action: string,
  inputs = {},
) {
  const button = submits(card).find((s) => s.data.do === action);
  if (!button) throw new Error(`no ${action} in ${JSON.stringify(card)}`);
  await deliver(harness, from(p, { text: undefined, value: { ...button.data, ...inputs } }));
}
const rowOf = async (harness: Harness) => (await rowsOf(harness.ctx.db, 'escalations'))[0]!;

describe('escalation alerts in Teams', () => {
  it('reach each counselor with the minimum and every action', async () => {
    const id = await seedCase(h);
    const card = alertIn(CORA);
    const shown = JSON.stringify(card);
    for (const part of [
      escalationRef(id),
      'A. A., grade 7',
      'Lincoln Middle',
      'possible self-harm',
      'Urgent',
    ])
      expect(shown).toContain(part);
    expect(shown).toContain('by a navigator, Tue 24 Nov, 09:00 CST');
    expect(doOf(card)).toEqual(['claim', 'acknowledge', 'note', 'reassign', 'resolve', 'details']);
    const titles = (card.actions as Array<{ type: string; title: string }>).map(
      (a) => `${a.type}:${a.title}`,
    );
    expect(titles).toEqual([
      'Action.Submit:Claim',
      'Action.Submit:Acknowledge',
      'Action.ShowCard:Add note',
      'Action.ShowCard:Reassign',
      'Action.ShowCard:Resolve',
      'Action.Submit:Details',
    ]);
    expect(shown).toContain(DEV.name);
  });

  it('is claimed from the card: the claimer is told and both cards are updated in place without Claim', async () => {
    await seedCase(h);
    await press(h, CORA, alertIn(CORA), 'claim');
    expect(await rowOf(h)).toMatchObject({ status: 'claimed', counselorId: CORA.id });
    expect(texts(CORA).at(-1)).toContain('You have claimed escalation');
    for (const p of [CORA, DEV]) {
      const update = sent()
        .filter((c) => c.method === 'PUT' && conversationOf(c) === p.chat)
        .at(-1);
      expect(update).toBeDefined();
      const card = cardOf(update!);
      expect(doOf(card)).not.toContain('claim');
      expect(JSON.stringify(card)).toContain('Claimed by Cora Counselor');
    }
  });

  it('refuses a navigator, and names the holder to a second counselor', async () => {
    const id = await seedCase(h);
    const card = alertIn(CORA);
    const claim = submits(card).find((s) => s.data.do === 'claim')!;
    await deliver(h, activity({ text: undefined, value: claim.data }));
    expect(
      sent()
        .filter((c) => conversationOf(c) === CHAT)
        .map((c) => c.body?.text),
    ).toContain(staffText('en', 'escalationNavigatorCannot', { ref: escalationRef(id) }));
    expect((await rowOf(h)).status).toBe('open');
    await press(h, CORA, card, 'claim');
    await press(h, DEV, card, 'claim');
    expect(texts(DEV).at(-1)).toContain('Cora Counselor already holds escalation');
    expect((await rowOf(h)).counselorId).toBe(CORA.id);
  });

  it('is resolved with an outcome from its panel; the updated card has no actions', async () => {
    await seedCase(h);
    await press(h, CORA, alertIn(CORA), 'claim');
    await press(h, CORA, alertIn(CORA), 'resolve', {
      alertOutcome: 'referred_outside',
      alertResolveNote: 'Family met the clinic nurse',
    });
    expect(await rowOf(h)).toMatchObject({ status: 'resolved', outcome: 'referred_outside' });
    const card = alertIn(CORA);
    expect(card.actions).toBeUndefined();
    expect(JSON.stringify(card)).toContain('Resolved by Cora Counselor: referred outside');
    expect(JSON.stringify(card)).not.toContain('clinic nurse');
  });

  it('sends the private details only to the holder, in their own chat', async () => {
    await seedCase(h);
    await press(h, DEV, alertIn(DEV), 'details');
    expect(texts(DEV).at(-1)).toContain('Only the counselor holding escalation');
    await press(h, CORA, alertIn(CORA), 'claim');
    await press(h, CORA, alertIn(CORA), 'details');
    const withName = sent().filter((c) => withCard(c) && JSON.stringify(cardOf(c)).includes('Ana Alvarez'));
    expect(withName).toHaveLength(1);
    expect(conversationOf(withName[0]!)).toBe(CORA.chat);
    const details = JSON.stringify(cardOf(withName[0]!));
    expect(details).toContain(NOTE);
    expect(details).toContain(FAMILY_WORDS);
    expect(details).toContain('Nia Navigator');
  });

  it('never puts a name, the note, the family words or a phone on an alert or an answer', async () => {
    await seedCase(h);
    await press(h, CORA, alertIn(CORA), 'claim');
    await press(h, CORA, alertIn(CORA), 'note', { alertNote: 'Called mom at 555-123-0001' });
    await press(h, CORA, alertIn(CORA), 'reassign', { alertTo: DEV.id });
    await press(h, DEV, alertIn(DEV), 'acknowledge');
    await press(h, DEV, alertIn(DEV), 'resolve', { alertOutcome: 'handled_in_school' });
    expect(await rowOf(h)).toMatchObject({ status: 'resolved', counselorId: DEV.id });
    const shown = sent().filter((c) => c.body !== null);
    expect(shown.filter((c) => c.method === 'PUT').length).toBeGreaterThanOrEqual(6);
    for (const call of shown) {
      const body = JSON.stringify(call.body);
      for (const pattern of FORBIDDEN) expect(body, body).not.toMatch(pattern);
    }
  });
});

describe('escalation alerts in a Teams channel of counselors', () => {
  const CHANNEL = '19:counselors-lincoln@thread.tacv2';
  const inChannel = (p: Person, fields: Record<string, unknown>) =>
    activity({
      from: { id: `29:${p.id}`, aadObjectId: p.aad },
      conversation: { id: CHANNEL, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
      ...fields,
    });

  it('posts one alert in the school channel, acts from it, and answers each counselor in their own chat', async () => {
    h.ctx.config.teams!.counselorChannels = { SCH: CHANNEL };
    await seedCase(h);
    const posted = sent().filter((c) => withCard(c) && conversationOf(c) === CHANNEL);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.method).toBe('POST');
    expect(sent().filter((c) => withCard(c) && [CORA.chat, DEV.chat].includes(conversationOf(c)))).toEqual(
      [],
    );
    const card = cardOf(posted[0]!);
    const claim = submits(card).find((s) => s.data.do === 'claim')!;

    await deliver(h, inChannel(CORA, { text: undefined, value: claim.data }));
    expect(await rowOf(h)).toMatchObject({ status: 'claimed', counselorId: CORA.id });
    expect(texts(CORA).at(-1)).toContain('You have claimed escalation');
    const updates = sent().filter((c) => c.method === 'PUT');
    expect(updates).toHaveLength(1);
    expect(conversationOf(updates[0]!)).toBe(CHANNEL);
    expect(doOf(cardOf(updates[0]!))).not.toContain('claim');

    // Details pressed in the channel go to the holder's own chat, never to the channel.
    const details = submits(card).find((s) => s.data.do === 'details')!;
    await deliver(h, inChannel(CORA, { text: undefined, value: details.data }));
    const private_ = sent().filter((c) => withCard(c) && JSON.stringify(cardOf(c)).includes('Ana Alvarez'));
    expect(private_.map(conversationOf)).toEqual([CORA.chat]);
    for (const call of sent().filter((c) => conversationOf(c) === CHANNEL)) {
      const body = JSON.stringify(call.body);
      for (const pattern of FORBIDDEN) expect(body).not.toMatch(pattern);
    }
  });
});
