import { describe, expect, it } from 'vitest';
import { raiseEscalation } from '../../../src/services/escalations.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import {
  activity,
  type ConnectorCall,
  cardOf,
  conversationOf,
  deliver,
  NOW,
  sent,
  submits,
  useTeamsHarness,
} from './harness.js';

// The Reassign panel of a Teams alert offers only who may take the case: active counselors of its school and
// district counselors, never the holder, never a counselor of another school (the rules would refuse them).

const h = useTeamsHarness();

const CORA = {
  id: 'coun-1',
  aad: 'aad-coun-1',
  chat: 'a:chat-counselor-1',
  name: 'Cora Counselor',
  school: 'SCH',
};
const DEV = {
  id: 'coun-2',
  aad: 'aad-coun-2',
  chat: 'a:chat-counselor-2',
  name: 'Dev Counselor',
  school: 'SCH',
};
const OTTO = {
  id: 'coun-o',
  aad: 'aad-coun-o',
  chat: 'a:chat-counselor-o',
  name: 'Otto Elsewhere',
  school: 'SCH2',
};
type Person = typeof CORA;

const from = (p: Person, fields: Record<string, unknown>) =>
  activity({
    from: { id: `29:${p.id}`, aadObjectId: p.aad },
    conversation: { id: p.chat, conversationType: 'personal', tenantId: 'tenant-1' },
    ...fields,
  });

const withCard = (c: ConnectorCall) => Array.isArray(c.body?.attachments);
function alertIn(p: Person): Record<string, unknown> {
  const last = sent()
    .filter((c) => conversationOf(c) === p.chat && withCard(c))
    .filter((c) => JSON.stringify(cardOf(c)).includes('escalation'))
    .at(-1);
  if (!last) throw new Error(`no alert in ${p.chat}`);
  return cardOf(last);
}

/** The ids the Reassign panel of a card offers. */
function reassignChoices(card: Record<string, unknown>): string[] {
  const panel = (
    card.actions as Array<{ type: string; card?: { body: Array<Record<string, unknown>> } }>
  ).find((a) => a.type === 'Action.ShowCard' && JSON.stringify(a).includes('"do":"reassign"'));
  const input = panel?.card?.body.find((b) => b.type === 'Input.ChoiceSet') as
    | { choices: { value: string }[] }
    | undefined;
  return (input?.choices ?? []).map((c) => c.value);
}

describe('the Reassign panel of a Teams alert', () => {
  it('lists the counselors who may take it, without the holder or another school', async () => {
    const roster = new RosterRepository(h.ctx.db);
    const by = { actor: 'test', at: NOW - 86_400_000 };
    await roster.upsertSchool({ id: 'SCH2', name: 'Bayview High', timezone: 'America/Chicago' }, by);
    for (const c of [CORA, DEV, OTTO]) {
      await roster.upsertStaff(
        {
          id: c.id,
          schoolId: c.school,
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
      await deliver(h, from(c, { text: 'help' }));
    }
    await h.ctx.db.transaction((tx) =>
      raiseEscalation(tx, h.ctx, {
        studentId: 'S-1',
        trigger: 'navigator_request',
        urgent: false,
        source: 'navigator',
        raisedBy: 'staff:nav-1',
        summary: 'navigator_request S-1',
        note: null,
      }),
    );
    await h.relay.runOnce();
    expect(reassignChoices(alertIn(CORA)).sort()).toEqual([CORA.id, DEV.id]);
    expect(() => alertIn(OTTO)).toThrow();

    const claim = submits(alertIn(CORA)).find((s) => s.data.do === 'claim')!;
    await deliver(h, from(CORA, { text: undefined, value: claim.data }));
    for (const p of [CORA, DEV]) expect(reassignChoices(alertIn(p))).toEqual([DEV.id]);
  });
});
