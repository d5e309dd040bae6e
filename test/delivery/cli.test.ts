import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  listOutbox,
  listTimers,
  maskAddress,
  retryOutbox,
  runCheckins,
} from '../../src/cli/commands/delivery.js';
import { CommandError } from '../../src/cli/format.js';
import type { TimerHandlers } from '../../src/jobs/timer-runner.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { openTestStore } from '../helpers/engines.js';
import { seedRoster } from '../jobs/roster.js';
import { message, seedSchool, testContext } from './helpers.js';

const T0 = Date.parse('2026-11-22T12:00:00Z');

describe('delivery commands', () => {
  it('checkins run plans the week and fires its prompts once; a second run says they are done', async () => {
    const db = await openTestStore();
    await seedRoster(db);
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
    expect(await listTimers(ctx, { status: 'fired' })).toContain('navigator_prompt');
  });

  it('checkins run prints what each prompt really did, and says when families cannot be texted', async () => {
    const db = await openTestStore();
    await seedRoster(db);
    const { ctx } = testContext(db, T0);
    const handlers: TimerHandlers = {
      navigator_prompt: () => 'started',
      family_checkin: () => 'skipped:no_consent',
    };
    const out = await runCheckins(ctx, {
      school: 'S1',
      week: '2026-W48',
      calendarPath: 'config/none.json',
      handlers,
    });
    expect(out).toContain('Prompts: 1 fired, 2 skipped');
    expect(out).toContain('Outcomes: fired:started 1, skipped:no_consent 2.');
    expect(out).toContain('navigator_prompt navigator_prompt|nav-1|2026-W48 → fired:started');
    expect(out).not.toMatch(/family_checkin .* → fired/);
    expect(await listTimers(ctx, { status: 'fired' })).toContain('skipped:no_consent');

    const db2 = await openTestStore();
    await seedRoster(db2);
    const noSms = await runCheckins(testContext(db2, T0).ctx, {
      school: 'S1',
      week: '2026-W48',
      calendarPath: 'config/none.json',
      handlers,
      channels: { sms: false },
    });
    expect(noSms).toContain('Family check-ins not planned: no SMS channel');
    expect(noSms).toContain('Prompts: 1 fired, 0 skipped');
  });

  it('outbox list shows no bodies or phone numbers; retry only revives dead or failed rows', async () => {
    const db = await openTestStore();
    const { ctx } = testContext(db, T0);
    const repo = new OutboxRepository(db);
    const m = message({
      createdAt: T0,
      channel: 'sms',
      address: '+15551234567',
      body: 'Hola, ¿cómo está Ana?',
    });
    await repo.enqueue(m);
    const out = await listOutbox(ctx, {});
    expect(out).toContain(m.id);
    expect(out).toContain('********67');
    expect(out).not.toContain('5551234567');
    expect(out).not.toContain('Hola');
    await repo.finish(m.id, T0, 'dead', 'http_500');
    expect(await retryOutbox(ctx, m.id)).toContain('pending again');
    expect((await repo.get(m.id))!.status).toBe('pending');
    expect(maskAddress('U1')).toBe('**');
  });
});

describe('delivery command errors', () => {
  const handlers: TimerHandlers = {};
  const base = { school: 'S1', week: '2026-W48', calendarPath: 'config/none.json', handlers };

  it('checkins run: an unknown school names the known ones; a bad week says how to write it', async () => {
    const db = await openTestStore();
    await seedRoster(db);
    await seedSchool(db, 'S2', 'America/Denver');
    const { ctx } = testContext(db, T0);
    await expect(runCheckins(ctx, { ...base, school: 'nope' })).rejects.toThrow(
      new CommandError('No school with id nope. Known schools: S1, S2.'),
    );
    await expect(runCheckins(ctx, { ...base, week: '2026-48' })).rejects.toThrow(
      new CommandError('Invalid --week 2026-48: use an ISO week such as 2026-W48.'),
    );
    await expect(runCheckins(ctx, { ...base, week: '2026-W54' })).rejects.toBeInstanceOf(CommandError);
    const empty = testContext(await openTestStore(), T0).ctx;
    await expect(runCheckins(empty, base)).rejects.toThrow(/no schools yet/);
  });

  it('outbox retry: an unknown id or a message that is not dead or failed is an error', async () => {
    const db = await openTestStore();
    const { ctx } = testContext(db, T0);
    const m = message({ createdAt: T0 });
    await new OutboxRepository(db).enqueue(m);
    await expect(retryOutbox(ctx, 'missing')).rejects.toThrow(
      new CommandError('No message with id missing. `outbox list` shows the ids.'),
    );
    await expect(retryOutbox(ctx, m.id)).rejects.toThrow(
      new CommandError(`Message ${m.id} is pending; only dead or failed messages can be retried.`),
    );
  });

  it('an unknown --status lists the valid ones; a bad --limit is refused', async () => {
    const { ctx } = testContext(await openTestStore(), T0);
    await expect(listOutbox(ctx, { status: 'bogus' })).rejects.toThrow(
      new CommandError(
        'Unknown status bogus; use one of pending, sending, sent, delivered, failed, dead, cancelled.',
      ),
    );
    await expect(listTimers(ctx, { status: 'done' })).rejects.toThrow(
      new CommandError('Unknown status done; use one of pending, fired, cancelled.'),
    );
    await expect(listOutbox(ctx, { limit: Number.NaN })).rejects.toThrow(CommandError);
  });

  it('the command line prints the error on stderr and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      const run = (...args: string[]) =>
        spawnSync(resolve('node_modules/.bin/tsx'), ['src/cli/index.ts', ...args], {
          env: { PATH: process.env.PATH, DATABASE_URL: `file:${join(dir, 'cli.db')}`, LOG_LEVEL: 'error' },
          encoding: 'utf8',
          timeout: 20_000,
        });
      const bad = run('outbox', 'list', '--status', 'bogus');
      expect(bad.stderr).toContain('Unknown status bogus; use one of pending,');
      expect(bad.stdout).toBe('');
      expect(bad.status).toBe(1);
      const ok = run('outbox', 'list');
      expect(ok.stdout).toContain('No messages');
      expect(ok.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
