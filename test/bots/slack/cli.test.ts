import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  listUnmatched,
  matchNow,
  openSlack,
  registerSlackCommands,
} from '../../../src/cli/commands/slack.js';
import { loadConfig } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import { fixedClock, sequentialIds } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { AuditRepository } from '../../../src/store/repositories/audit.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { openTestStore } from '../../helpers/engines.js';
import { calls, mockSlack, NOW, responders, seed } from './harness.js';

beforeAll(() => mockSlack.listen({ onUnhandledRequest: 'error' }));
afterAll(() => mockSlack.close());

let ctx: AppContext;
let logs: string;

async function context(
  env: Record<string, string> = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 's' },
) {
  logs = '';
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs += String(chunk);
      done();
    },
  });
  const c: AppContext = {
    config: loadConfig({ DATABASE_URL: ':memory:', ...env }),
    db: await openTestStore(),
    logger: createLogger({ level: 'info', destination }),
    clock: fixedClock(NOW),
    ids: sequentialIds('c'),
  };
  return c;
}

/** The context with the harness's school, nav-1, and three staff not yet matched to Slack. */
async function seededContext(): Promise<AppContext> {
  const c = await context();
  await seed(c);
  const roster = new RosterRepository(c.db);
  for (const [id, name, role, email] of [
    ['nav-2', 'Found Person', 'navigator', 'found@district.example'],
    ['nav-3', 'Missing Person', 'navigator', 'missing@district.example'],
    ['cou-1', 'Gone Counselor', 'counselor', 'gone@district.example'],
  ] as const)
    await roster.upsertStaff(
      {
        id,
        schoolId: 'SCH',
        name,
        email,
        role,
        slackUserId: null,
        teamsUserId: null,
        timezone: 'America/Chicago',
        locale: 'en',
      },
      { actor: 'test', at: 0 },
    );
  return c;
}

beforeEach(async () => {
  calls.length = 0;
  responders.clear();
  responders.set('auth.test', () => ({ ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T1' }));
  responders.set('users.lookupByEmail', (a) => {
    if (a.email === 'found@district.example') return { ok: true, user: { id: 'U0TWO' } };
    if (a.email === 'gone@district.example') return { ok: true, user: { id: 'U0GONE', deleted: true } };
    return { ok: false, error: 'users_not_found' };
  });
  ctx = await seededContext();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await ctx.db.close();
});

describe('npm run cli -- slack unmatched', () => {
  it('lists staff id, name, role, email and reason; saves nothing; never logs the email', async () => {
    const out = await listUnmatched(openSlack(ctx)!.directory);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^STAFF ID\s+NAME\s+ROLE\s+EMAIL\s+REASON$/);
    expect(out).toMatch(
      /cou-1\s+Gone Counselor\s+counselor\s+gone@district\.example\s+Slack account deactivated/,
    );
    expect(out).toMatch(
      /nav-3\s+Missing Person\s+navigator\s+missing@district\.example\s+no Slack user with this email/,
    );
    expect(out).not.toContain('found@district.example');
    expect(out).toContain('2 not found in Slack');
    expect(out).toContain('1 more found in Slack by email; run `slack match`');
    expect((await new RosterRepository(ctx.db).staffById('nav-2'))!.slackUserId).toBeNull(); // a dry run
    expect(calls.filter((c) => c.method === 'users.lookupByEmail')).toHaveLength(3);
    expect(logs).toContain('nav-3'); // reported in the log by staff id ...
    expect(logs).not.toContain('@district.example'); // ... never by email
  });
});

describe('npm run cli -- slack match', () => {
  it('matches now, remembers the id (audit-logged) and prints the counts', async () => {
    const out = await matchNow(openSlack(ctx)!.directory);
    expect(out).toContain('Matched now: 1. Already matched: 1. Not found: 2.');
    expect(out).toContain('missing@district.example');
    expect((await new RosterRepository(ctx.db).staffById('nav-2'))!.slackUserId).toBe('U0TWO');
    expect((await new AuditRepository(ctx.db).listFor('staff', 'nav-2')).at(-1)).toMatchObject({
      action: 'slack_match',
      actor: 'slack:lookup_by_email',
    });
    expect(logs).not.toContain('@district.example');
  });

  it('runs through commander and says when Slack is not configured', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line));
    const program = new Command().exitOverride();
    registerSlackCommands(program, () => ctx);
    await program.parseAsync(['node', 'cli', 'slack', 'match']);
    expect(printed.join('\n')).toContain('Matched now: 1.');

    const unconfigured = new Command().exitOverride();
    const unconfiguredCtx = await context({});
    registerSlackCommands(unconfigured, () => unconfiguredCtx);
    const before = process.exitCode;
    await unconfigured.parseAsync(['node', 'cli', 'slack', 'unmatched']);
    expect(errors.join('\n')).toContain('Slack is not configured');
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
  });

  it('says so when Slack refuses the bot token, before any look-up', async () => {
    responders.set('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line));
    const program = new Command().exitOverride();
    registerSlackCommands(program, () => ctx);
    const before = process.exitCode;
    await program.parseAsync(['node', 'cli', 'slack', 'unmatched']);
    expect(errors.join('\n')).toContain('Slack did not accept the bot token (invalid_auth)');
    expect(calls.filter((c) => c.method === 'users.lookupByEmail')).toEqual([]);
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
  });
});
