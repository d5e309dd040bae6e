import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DIGEST_ACTION } from '../../../src/bots/slack/digest-blocks.js';
import { verifyToken } from '../../../src/services/dashboard-links.js';
import { sendSchoolDigest } from '../../../src/services/digest-delivery.js';
import { engineOf } from '../../../src/store/db.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { tablesOf } from '../../helpers/tables.js';
import { calls, FORM, interactionBody, NOW, send, useSlackHarness, WEEK } from './harness.js';

const h = useSlackHarness();
const LEAD_USER = 'U0LEAD';

async function addLead(role: 'lead_navigator' | 'navigator' = 'lead_navigator') {
  await new RosterRepository(h.ctx.db).upsertStaff(
    {
      id: 'lead-1',
      schoolId: 'SCH',
      name: 'Lee Lambert',
      email: 'lee@district.example',
      role: 'lead_navigator',
      slackUserId: LEAD_USER,
      teamsUserId: null,
      timezone: 'America/Chicago',
      locale: 'en',
    },
    { actor: 'test', at: NOW },
  );
  await sendSchoolDigest(h.ctx, 'SCH', WEEK);
  // A lead who lost the role between the digest being queued and being sent gets no link.
  if (role !== 'lead_navigator')
    await engineOf(h.ctx.db)
      .update(tablesOf(h.ctx.db).staff)
      .set({ role })
      .where(eq(tablesOf(h.ctx.db).staff.id, 'lead-1'));
  await h.relay.runOnce();
  const post = calls.filter((c) => c.method === 'chat.postMessage').at(-1);
  if (!post) throw new Error('nothing posted');
  return post.args as { channel: string; text: string; blocks: Array<Record<string, unknown>> };
}

describe('the weekly digest in Slack', () => {
  it('is Block Kit with a button opening the dashboard through a fresh link for this lead, and no student names', async () => {
    const posted = await addLead();
    expect(posted.channel).toBe(LEAD_USER);
    expect(posted.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'context']);
    expect(posted.blocks[0]).toMatchObject({
      text: { type: 'plain_text', text: 'Weekly digest · Lincoln Middle · 2026-W48' },
    });
    expect(JSON.stringify(posted.blocks[1])).toContain('Check-ins: 0 of 0 done');
    const button = (posted.blocks[2]!.elements as Array<Record<string, unknown>>)[0]!;
    expect(button).toMatchObject({ type: 'button', action_id: DIGEST_ACTION, style: 'primary' });
    expect(button.text).toMatchObject({ text: 'Open the dashboard' });
    const url = new URL(String(button.url));
    expect(`${url.origin}${url.pathname}`).toBe('http://localhost:3000/dashboard');
    const link = verifyToken(
      h.ctx.config.dashboard.secret,
      url.searchParams.get('t')!,
      'link',
      h.ctx.clock(),
    );
    expect(link).toMatchObject({
      ok: true,
      claims: { sub: 'lead-1', scope: 's:SCH', exp: NOW + 24 * 3_600_000 },
    });
    expect(JSON.stringify(posted.blocks[3])).toContain('valid for 24 hours');
    expect(posted.text).toContain('Weekly digest for Lincoln Middle, 2026-W48');
    const everything = JSON.stringify(posted);
    for (const name of ['Ana', 'Alvarez', 'Ben', 'Brown', 'Cam', 'Chen'])
      expect(everything).not.toContain(name);
  });

  it('acknowledges the button’s click, which Slack reports although the URL opens in the browser', async () => {
    await addLead();
    const res = await send(
      h,
      interactionBody({
        type: 'block_actions',
        user: { id: LEAD_USER },
        channel: { id: LEAD_USER },
        actions: [{ action_id: DIGEST_ACTION, type: 'button', action_ts: '1764000000.000900' }],
      }),
      FORM,
    );
    expect(res.status).toBe(200);
  });

  it('goes without the button to someone who may not open the dashboard', async () => {
    const posted = await addLead('navigator');
    expect(posted.blocks.map((b) => b.type)).toEqual(['header', 'section']);
  });
});
