import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { digestView } from '../../../src/bots/chat/digest.js';
import { digestCard } from '../../../src/bots/teams/digest-card.js';
import { verifyToken } from '../../../src/services/dashboard-links.js';
import { sendSchoolDigest } from '../../../src/services/digest-delivery.js';
import { engineOf } from '../../../src/store/db.js';
import { tablesOf } from '../../helpers/tables.js';
import {
  CHAT,
  cardOf,
  conversationOf,
  NOW,
  post,
  activity as say,
  sent,
  useTeamsHarness,
} from './harness.js';

const h = useTeamsHarness();
const WEEK = '2026-W48';

describe('the weekly digest in Teams', () => {
  it('is an Adaptive Card with the figures and an Action.OpenUrl to the dashboard, minted for this lead', async () => {
    // The lead has written to the bot once (so their chat is known), then is made the school's lead navigator.
    await post(h, say({ text: 'hello there', value: undefined }));
    const { staff } = tablesOf(h.ctx.db);
    await engineOf(h.ctx.db).update(staff).set({ role: 'lead_navigator' }).where(eq(staff.id, 'nav-1'));
    expect(await sendSchoolDigest(h.ctx, 'SCH', WEEK)).toBe('sent:1');
    const before = sent().length;
    await h.relay.runOnce();
    const call = sent().slice(before).at(-1)!;
    expect(conversationOf(call)).toBe(CHAT);
    const card = cardOf(call);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5', lang: 'en' });
    const body = card.body as Array<Record<string, unknown>>;
    expect(body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'Weekly digest · Lincoln Middle · 2026-W48',
      weight: 'Bolder',
    });
    expect(body.map((b) => b.text).join('\n')).toContain('Check-ins: 0 of 0 done');
    expect(String(body.at(-1)!.text)).toContain('valid for 24 hours');
    const actions = card.actions as Array<Record<string, unknown>>;
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ type: 'Action.OpenUrl', title: 'Open the dashboard' });
    const url = new URL(String(actions[0]!.url));
    expect(url.pathname).toBe('/dashboard');
    expect(verifyToken(h.ctx.config.dashboard.secret, url.searchParams.get('t')!, 'link', NOW)).toMatchObject(
      {
        ok: true,
        claims: { sub: 'nav-1', scope: 's:SCH' },
      },
    );
    expect(call.body?.summary).toBe('Weekly digest · Lincoln Middle · 2026-W48');
    const everything = JSON.stringify(call.body);
    for (const name of ['Ana', 'Alvarez', 'Ben', 'Brown', 'Cam', 'Chen'])
      expect(everything).not.toContain(name);
  });

  it('renders in Spanish, and without a link has no action', () => {
    const payload = {
      key: 'digest.weekly',
      params: {
        school: 'Lincoln *Middle*',
        week: WEEK,
        completed: 4,
        expected: 6,
        rate: '67%',
        change: '+5',
        late: 1,
        navigators: 2,
        texted: 3,
        replied: 1,
        silent: 0,
        silentWeeks: 3,
        newNeeds: 2,
        waiting: 0,
        waitingDays: 14,
        open: 0,
        overdue: 0,
      },
    };
    const { card, summary } = digestCard(
      digestView(h.texts, 'es', payload, 'https://x.example/dashboard?t=a.b', 24),
    );
    expect(summary).toBe('Resumen semanal · Lincoln *Middle* · 2026-W48');
    const body = card.body as Array<Record<string, unknown>>;
    // Markdown in a school's name is shown as typed, not as emphasis.
    expect(body[0]!.text).toBe('Resumen semanal · Lincoln \\*Middle\\* · 2026-W48');
    expect(body[1]!.text).toBe(
      'Seguimientos: 4 de 6 hechos (67%, +5 puntos respecto a la semana pasada); 1 de 2 navegadores con retraso.',
    );
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Abrir el panel',
        url: 'https://x.example/dashboard?t=a.b',
        style: 'positive',
      },
    ]);
    const without = digestCard(digestView(h.texts, 'en', payload, undefined, 24)).card;
    expect(without.actions).toBeUndefined();
    expect(JSON.stringify(without)).not.toContain('valid for');
  });
});
