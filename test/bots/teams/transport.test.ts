import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { queueReply } from '../../../src/bots/teams/replies.js';
import { rateLimitsFrom } from '../../../src/delivery/rate-limits.js';
import { createRelay } from '../../../src/delivery/relay.js';
import { TransportRegistry } from '../../../src/delivery/transport.js';
import { ChatMessages } from '../../../src/services/chat-messages.js';
import { defaultStaffRoute } from '../../../src/services/staff-routing.js';
import { OutboxRepository } from '../../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { TeamsConversationRepository } from '../../../src/store/repositories/teams-conversations.js';
import {
  CHAT,
  connector,
  conversationOf,
  logs,
  post,
  press,
  activity as say,
  sent,
  useTeamsHarness,
} from './harness.js';

const h = useTeamsHarness();

/** The navigator has written once (so the chat is known) and `n` short replies wait in the outbox. */
async function queued(n: number): Promise<string[]> {
  await post(h, say({ text: 'hello there', value: undefined }));
  const member = await new RosterRepository(h.ctx.db).staffById('nav-1');
  const messages = new ChatMessages(h.ctx, 'teams');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = await queueReply(messages, { member, conversationId: CHAT, locale: 'en' }, 'teamsHelp');
    if (id) ids.push(id);
  }
  return ids;
}

const row = async (id: string) => (await new OutboxRepository(h.ctx.db).list()).find((r) => r.id === id)!;

describe('the Teams transport', () => {
  it('paces sends to at most 7 a second in one conversation', async () => {
    const relay = createRelay({
      ctx: h.ctx,
      transports: new TransportRegistry([h.teams.transport]),
      rateLimits: rateLimitsFrom({}),
    });
    await queued(20);
    const start = h.ctx.clock();
    let sentInFirstSecond = 0;
    while (h.ctx.clock() - start < 1000) {
      sentInFirstSecond += (await relay.runOnce()).sent;
      h.ctx.clock.advance(50);
    }
    // The reply to "hello there" plus the 20 queued: 7 in the first second, not more.
    expect(sentInFirstSecond).toBe(7);
    expect(sent()).toHaveLength(7);
  });

  for (const status of [429, 412, 502, 504]) {
    it(`retries a ${status} later, honouring Retry-After`, async () => {
      connector.send = () => HttpResponse.json({}, { status, headers: { 'Retry-After': '30' } });
      await queued(0);
      await h.relay.runOnce();
      const [tried] = (await new OutboxRepository(h.ctx.db).list()).filter((r) => r.attempts === 1);
      expect(tried).toMatchObject({ status: 'pending' });
      expect(tried!.notBefore - h.ctx.clock()).toBeGreaterThanOrEqual(30_000);
      expect(tried!.lastError).toContain(String(status));
      expect(sent()).toHaveLength(1);
    });
  }

  it('stops at a 403, marks the navigator unreachable in Teams and says so in the log', async () => {
    connector.send = () => HttpResponse.json({ error: { code: 'BotDisabledByAdmin' } }, { status: 403 });
    const [id] = await queued(1);
    await h.relay.runOnce();
    expect(await row(id!)).toMatchObject({ status: 'failed' });
    expect((await row(id!)).lastError).toContain('forbidden');
    const nav = await new RosterRepository(h.ctx.db).staffById('nav-1');
    expect(nav?.teamsConversation).toBeNull();
    expect((await new TeamsConversationRepository(h.ctx.db).byId(CHAT))?.unreachableAt).toBe(h.ctx.clock());
    expect(defaultStaffRoute(h.ctx.config)(nav!)).toBeNull();
    expect(logs.join('')).toContain('no longer reached in Teams');
    // Writing to the bot again makes them reachable again.
    connector.send = () => ({ id: 'ok-1' });
    await post(h, say({ text: 'help' }));
    expect((await new RosterRepository(h.ctx.db).staffById('nav-1'))?.teamsConversation).toBe(CHAT);
  });
});

describe('weekly prompts', () => {
  it('reach a navigator in Teams through the outbox once the bot knows their chat', async () => {
    await post(h, say({ text: 'hello there' }));
    const started = await h.service.startNavigator('nav-1', '2026-W48');
    expect(started.ok).toBe(true);
    await h.relay.runOnce();
    const cards = sent().filter((c) => Array.isArray(c.body?.attachments));
    expect(cards.length).toBeGreaterThan(0);
    expect(cards.every((c) => conversationOf(c) === CHAT)).toBe(true);
  });

  it('post the question afresh when the card to update is gone', async () => {
    await post(h, say({ text: 'start' }));
    await h.relay.runOnce();
    connector.update = () => HttpResponse.json({ error: { code: 'NotFound' } }, { status: 404 });
    const posts = () => sent().filter((c) => c.method === 'POST').length;
    const before = posts();
    await press(h, { choice: 'met' });
    expect(sent().some((c) => c.method === 'PUT')).toBe(true);
    expect(posts()).toBe(before + 1);
  });
});
