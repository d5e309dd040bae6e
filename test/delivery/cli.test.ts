import { describe, expect, it } from 'vitest';
import {
  listOutbox,
  listTimers,
  maskAddress,
  retryOutbox,
  runCheckins,
} from '../../src/cli/commands/delivery.js';
import type { TimerHandlers } from '../../src/jobs/timer-runner.js';
import { openTestDatabase } from '../../src/store/db.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { seedRoster } from '../jobs/roster.js';
import { message, testContext } from './helpers.js';

const T0 = Date.parse('2026-11-22T12:00:00Z');

describe('delivery commands', () => {
  it('checkins run plans the week and fires its prompts once; a second run says they are done', async () => {
    const db = openTestDatabase();
    seedRoster(db);
    const { ctx } = testContext(db, T0);
    const fired: string[] = [];
    const handlers: TimerHandlers = {
      navigator_prompt: (t) => void fired.push(t.uniqueKey),
      family_checkin: (t) => void fired.push(t.uniqueKey),
    };
    const args = { school: 'S1', week: '2026-W48', calendarPath: 'config/none.json', handlers };
    const first = await runCheckins(ctx, args);
    expect(first).toContain('9 planned now');
    expect(first).toContain('Prompts: 3 fired');
    const second = await runCheckins(ctx, args);
    expect(second).toContain('0 planned now, 9 already planned');
    expect(second).toContain('3 already done');
    expect(fired).toHaveLength(3);
    expect(listTimers(ctx, { status: 'fired' })).toContain('navigator_prompt');
    await expect(runCheckins(ctx, { ...args, week: '2026-48' })).rejects.toThrow();
  });

  it('outbox list shows no bodies or phone numbers; retry only revives dead or failed rows', () => {
    const db = openTestDatabase();
    const { ctx } = testContext(db, T0);
    const repo = new OutboxRepository(db);
    const m = message({
      createdAt: T0,
      channel: 'sms',
      address: '+15551234567',
      body: 'Hola, ¿cómo está Ana?',
    });
    repo.enqueue(m);
    const out = listOutbox(ctx, {});
    expect(out).toContain(m.id);
    expect(out).toContain('********67');
    expect(out).not.toContain('5551234567');
    expect(out).not.toContain('Hola');
    expect(retryOutbox(ctx, m.id)).toContain('only dead or failed');
    repo.finish(m.id, T0, 'dead', 'http_500');
    expect(retryOutbox(ctx, m.id)).toContain('pending again');
    expect(repo.get(m.id)!.status).toBe('pending');
    expect(listOutbox(ctx, { status: 'bogus' })).toContain('Unknown status');
    expect(maskAddress('U1')).toBe('**');
  });
});
