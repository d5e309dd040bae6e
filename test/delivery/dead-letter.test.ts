import { describe, expect, it } from 'vitest';
import {
  createDeadLetterAlert,
  DEAD_LETTER_PURPOSE,
  DEAD_LETTER_TEXT_KEY,
} from '../../src/delivery/dead-letter.js';
import { createRelay } from '../../src/delivery/relay.js';
import { type OutboundMessage, type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { createTexts } from '../../src/i18n/index.js';
import { defaultStaffRoute } from '../../src/services/staff-routing.js';
import { type Db, engineOf } from '../../src/store/db.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { openTestStore } from '../helpers/engines.js';
import { tablesOf } from '../helpers/tables.js';
import { enqueue, message, testContext } from './helpers.js';

const T0 = Date.parse('2026-11-24T18:00:00Z');
const MIN = 60_000;

async function seedStaff(
  db: Db,
  id: string,
  role: 'admin' | 'navigator',
  extra: { active?: boolean; locale?: string; slackUserId?: string } = {},
) {
  await engineOf(db)
    .insert(tablesOf(db).staff)
    .values({
      id,
      name: `Name ${id}`,
      email: `${id}@example.org`,
      role,
      timezone: 'America/Chicago',
      createdAt: 0,
      updatedAt: 0,
      ...extra,
    });
}

async function setup(env: Record<string, string> = {}) {
  const db = await openTestStore();
  await seedStaff(db, 'admin-1', 'admin');
  await seedStaff(db, 'admin-2', 'admin', { locale: 'es' });
  await seedStaff(db, 'admin-old', 'admin', { active: false });
  await seedStaff(db, 'nav-1', 'navigator');
  const t = testContext(db, T0, env);
  const repo = new OutboxRepository(db);
  /** A family text that has died, as the relay hands it over. */
  const die = async (id?: string) => {
    const m = message({
      createdAt: T0,
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: 'g-7',
      address: '+15551234567',
      purpose: 'family_checkin',
      body: 'Hola Ana',
      ...(id ? { id } : {}),
    });
    await enqueue(db, m);
    await repo.finish(m.id, t.clock(), 'dead', 'http_500');
    return (await repo.get(m.id))!;
  };
  const alerts = async () =>
    (await repo.list({ limit: 100 })).filter((r) => r.purpose === DEAD_LETTER_PURPOSE);
  return {
    ...t,
    db,
    repo,
    die,
    alerts,
    alert: createDeadLetterAlert(t.ctx, { route: defaultStaffRoute(t.ctx.config) }),
  };
}

describe('dead-letter admin alert', () => {
  it('tells each active admin on their channel, with ids only, once per dead row', async () => {
    const s = await setup();
    const dead = await s.die();
    expect(await s.alert(dead)).toBe('alerted');
    const rows = await s.alerts();
    expect(rows.map((r) => [r.recipientId, r.channel, r.address, r.locale]).sort()).toEqual([
      ['admin-1', 'local', 'admin-1', 'en'],
      ['admin-2', 'local', 'admin-2', 'es'],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ recipientKind: 'staff', status: 'pending', notBefore: T0 });
      expect(r.payload).toEqual({
        key: DEAD_LETTER_TEXT_KEY,
        params: { id: dead.id, channel: 'sms', purpose: 'family_checkin', dead: 1, slot: T0 },
      });
      const text = JSON.stringify(r);
      for (const secret of ['+1555', 'Hola', 'g-7']) expect(text).not.toContain(secret);
    }
    expect(await s.alert(dead)).toBe('duplicate');
    expect(await s.alerts()).toHaveLength(2);
  });

  it('at most one alert per 10 minutes: later deaths are counted into the waiting one', async () => {
    const s = await setup();
    await s.alert(await s.die());
    const second = await s.die();
    s.clock.advance(MIN);
    expect(await s.alert(second)).toBe('merged');
    expect(
      (await s.alerts()).map((r) => (r.payload as { params: { dead: number; id: string } }).params),
    ).toEqual([
      expect.objectContaining({ dead: 2, id: second.id }),
      expect.objectContaining({ dead: 2, id: second.id }),
    ]);
    // The first alert leaves; two more deaths within the interval make one alert at T0 + 10 min.
    for (const r of await s.alerts()) await s.repo.markSent(r.id, s.clock(), null);
    s.clock.advance(MIN);
    expect(await s.alert(await s.die())).toBe('alerted');
    expect(await s.alert(await s.die())).toBe('merged');
    const next = (await s.alerts()).filter((r) => r.status === 'pending');
    expect(next).toHaveLength(2);
    for (const r of next) {
      expect(r.notBefore).toBe(T0 + 10 * MIN);
      expect((r.payload as { params: { dead: number } }).params.dead).toBe(2);
    }
    // Once the interval has passed and the alert has left, the next death alerts at once.
    for (const r of next) await s.repo.markSent(r.id, s.clock(), null);
    s.clock.set(T0 + 25 * MIN);
    expect(await s.alert(await s.die())).toBe('alerted');
    expect((await s.alerts()).filter((r) => r.status === 'pending')[0]!.notBefore).toBe(T0 + 25 * MIN);
  });

  it('alerts again when a retried row dies again', async () => {
    const s = await setup();
    const dead = await s.die();
    await s.alert(dead);
    for (const r of await s.alerts()) await s.repo.markSent(r.id, s.clock(), null);
    await s.repo.retry(dead.id, s.clock());
    s.clock.advance(20 * MIN);
    await s.repo.finish(dead.id, s.clock(), 'dead', 'http_500');
    expect(await s.alert((await s.repo.get(dead.id))!)).toBe('alerted');
  });

  it('without a reachable admin it logs an error; a dead alert raises no alert', async () => {
    const s = await setup({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'x' });
    expect(await s.alert(await s.die())).toBe('no_admin');
    expect(await s.alerts()).toHaveLength(0);
    expect(s.logLines.some((l) => l.includes('no admin can be reached'))).toBe(true);
    const alertRow = { ...(await s.die()), purpose: DEAD_LETTER_PURPOSE };
    expect(await s.alert(alertRow)).toBe('ignored');
  });

  it('routes admins to Slack when configured and they have a Slack id', () => {
    const route = defaultStaffRoute({
      slack: { botToken: 'xoxb-1', signingSecret: 'x' },
      localMode: false,
    });
    const base = { id: 'a', slackUserId: null, teamsConversation: null } as Parameters<typeof route>[0];
    expect(route({ ...base, slackUserId: 'U1' })).toEqual({ channel: 'slack', address: 'U1' });
    expect(route(base)).toBeNull();
  });

  it('end to end: a message dies in the relay, the admins get the alert in their language', async () => {
    const s = await setup();
    const texts = createTexts({ defaultLocale: 'en', logger: s.ctx.logger });
    const seen: OutboundMessage[] = [];
    const local: Transport = {
      channel: 'local',
      send: async (m) => {
        seen.push(m);
        return { ok: true };
      },
    };
    const failing: Transport = {
      channel: 'sms',
      send: async () => ({ ok: false, kind: 'transient', reason: 'x' }),
    };
    const relay = createRelay({
      ctx: s.ctx,
      transports: new TransportRegistry([local, failing]),
      rateLimits: false,
      maxAttempts: 1,
      onDead: s.alert,
    });
    const id = await enqueue(s.db, message({ createdAt: T0, channel: 'sms', purpose: 'family_checkin' }));
    expect(await relay.runOnce()).toMatchObject({ dead: 1 });
    expect(await relay.runOnce()).toMatchObject({ sent: 2 });
    const rendered = seen.map((m) => texts.render(m.payload, m.locale));
    expect(rendered.map((r) => r.fellBack)).toEqual([false, false]);
    expect(rendered.map((r) => r.text).join('\n')).toContain(`${id} (sms, family_checkin)`);
    expect(rendered.find((r) => r.locale === 'es')!.text).toMatch(/^Alerta para administración: 1 mensaje/);
  });

  it('a failing alert does not stop the relay round', async () => {
    const s = await setup();
    const failing: Transport = {
      channel: 'sms',
      send: async () => ({ ok: false, kind: 'transient', reason: 'x' }),
    };
    const relay = createRelay({
      ctx: s.ctx,
      transports: new TransportRegistry([failing]),
      rateLimits: false,
      maxAttempts: 1,
      onDead: () => {
        throw new Error('alert down');
      },
    });
    await enqueue(s.db, message({ createdAt: T0, channel: 'sms' }));
    await expect(relay.runOnce()).resolves.toMatchObject({ dead: 1 });
    expect(s.logLines.some((l) => l.includes('dead-letter alert failed'))).toBe(true);
  });
});
