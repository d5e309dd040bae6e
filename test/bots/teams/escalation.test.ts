import { describe, expect, it } from 'vitest';
import { engineOf } from '../../../src/store/db.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { escalations } from '../../../src/store/schema/index.js';
import {
  activity,
  cardOf,
  conversationOf,
  deliver,
  type Harness,
  NOW,
  press,
  sent,
  submits,
  type,
  useTeamsHarness,
} from './harness.js';

const h = useTeamsHarness();
const COUNSELOR_CHAT = 'a:chat-counselor-1';
const counselor = (fields: Record<string, unknown>) =>
  activity({
    from: { id: '29:coun-1', aadObjectId: 'aad-coun-1' },
    conversation: { id: COUNSELOR_CHAT, conversationType: 'personal', tenantId: 'tenant-1' },
    ...fields,
  });

async function addCounselor(harness: Harness): Promise<void> {
  await new RosterRepository(harness.ctx.db).upsertStaff(
    {
      id: 'coun-1',
      schoolId: 'SCH',
      name: 'Cora Counselor',
      email: 'cora@district.example',
      role: 'counselor',
      slackUserId: null,
      teamsUserId: 'aad-coun-1',
      timezone: 'America/Chicago',
      locale: 'en',
    },
    { actor: 'test', at: NOW - 86_400_000 },
  );
  await deliver(harness, counselor({ text: 'help' }));
}

const alerts = () =>
  sent().filter((c) => conversationOf(c) === COUNSELOR_CHAT && Array.isArray(c.body?.attachments));
const lastText = () => String(sent().at(-1)?.body?.text);

describe('escalation alerts in Teams', () => {
  it('reach the counselor with initials, grade and area only, and are claimed and resolved from the card', async () => {
    await addCounselor(h);
    await type(h, 'start');
    await press(h, { action: 'counselor' }, { note: 'Said things at home are hard' });
    const [alert] = alerts();
    expect(alert).toBeDefined();
    const card = JSON.stringify(cardOf(alert!));
    expect(card).toContain('A. A., grade 7');
    expect(card).not.toContain('Alvarez');
    expect(card).not.toContain('things at home');
    const [claim, resolve] = submits(cardOf(alert!));
    expect(claim?.title).toBe('Claim');

    await deliver(h, counselor({ text: undefined, value: claim!.data }));
    const [row] = engineOf(h.ctx.db).select().from(escalations).all();
    expect(row).toMatchObject({ status: 'claimed', counselorId: 'coun-1' });
    expect(lastText()).toContain('You have claimed escalation');

    await deliver(h, counselor({ text: undefined, value: resolve!.data }));
    expect(engineOf(h.ctx.db).select().from(escalations).all()[0]?.status).toBe('resolved');
    await deliver(h, counselor({ text: undefined, value: claim!.data }));
    expect(lastText()).toBe('That escalation is already resolved.');
  });

  it('refuses a reference that names no escalation', async () => {
    await addCounselor(h);
    await deliver(h, counselor({ text: undefined, value: { a: 'claim', e: 'NOPE1234' } }));
    expect(lastText()).toBe('That escalation was not found.');
  });
});
