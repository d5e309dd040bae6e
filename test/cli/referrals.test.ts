import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerReferralCommands } from '../../src/cli/commands/referrals.js';
import { registerServiceCommands } from '../../src/cli/commands/services.js';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { recordNeed } from '../../src/services/needs.js';
import { referralRef } from '../../src/services/referrals.js';
import { ReferralRepository } from '../../src/store/repositories/referrals.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { testContext } from '../helpers/context.js';

const SAMPLE = join(import.meta.dirname, '../../docs/sample-services.csv');

let ctx: Awaited<ReturnType<typeof testContext>>;
let out: string[];
let err: string[];

beforeEach(async () => {
  ctx = await testContext({ now: Date.parse('2026-11-24T15:00:00Z') });
  await seedDemoRoster(ctx);
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function cli(...args: string[]) {
  out.length = 0;
  err.length = 0;
  process.exitCode = undefined;
  const program = new Command().exitOverride();
  registerServiceCommands(program, () => ctx);
  registerReferralCommands(program, () => ctx);
  // Each command closes its database; keep the test's open across several commands.
  const close = ctx.db.close.bind(ctx.db);
  ctx.db.close = async () => {};
  try {
    await program.parseAsync(['node', 'cli', ...args]);
  } finally {
    ctx.db.close = close;
  }
  return { out: out.join('\n'), err: err.join('\n'), code: process.exitCode ?? 0 };
}

describe('services and referrals command line', () => {
  it('imports the sample catalog, again with no change, and lists what a school may use', async () => {
    const first = await cli('services', 'import', SAMPLE);
    expect(first.code).toBe(0);
    expect(first.out).toContain('Services: 6 created, 0 updated, 0 unchanged');
    const again = await cli('services', 'import', SAMPLE);
    expect(again.out).toContain('Result: 0 changed, 0 rejected, 0 warnings');

    const list = await cli('services', 'list', '--school', 'sch-bayview', '--area', 'food');
    expect(list.out).toContain('food-pantry-north');
    expect(list.out).not.toContain('Riverside Weekend Backpacks');
    expect(await cli('services', 'list', '--area', 'rent')).toMatchObject({ code: 1 });
    expect(err.join('')).toContain('Unknown need area rent');
  });

  it('a file with bad rows exits 1 and names each line; an unreadable file exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    const file = join(dir, 'services.csv');
    writeFileSync(file, 'name,need_areas\nPantry,food\nClinic,healthcare\n');
    const bad = await cli('services', 'import', file, '--dry-run');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('services.csv:3 error need_areas: unknown need area "healthcare"');
    expect(bad.out).toContain('dry run: nothing was written');
    expect((await cli('services', 'import', join(dir, 'missing.csv'))).code).toBe(2);
  });

  it('creates and moves a referral with the rules of every channel, refusals on stderr with exit 1', async () => {
    await cli('services', 'import', SAMPLE);
    const roster = new RosterRepository(ctx.db);
    const student = (await roster.caseloadOf('nav-2'))[0]!;
    const need = await ctx.db.transaction(
      async (tx) =>
        (
          await recordNeed(tx, ctx, {
            studentId: student.id,
            area: 'food_security',
            severity: 'high',
            source: 'navigator',
            actor: 'staff:nav-2',
          })
        ).need,
    );
    const needs = await cli('referrals', 'needs', '--school', 'sch-riverside');
    expect(needs.out).toContain(referralRef(need.id));

    // nav-1 works in Spanish and does not have this student.
    const refused = await cli(
      'referrals',
      'create',
      '--need',
      referralRef(need.id),
      '--service',
      'food-pantry-north',
      '--by',
      'nav-1',
    );
    expect(refused).toMatchObject({ code: 1, out: '' });
    expect(refused.err).toBe('Solo puede hacer y cambiar derivaciones de estudiantes de su grupo asignado.');

    const made = await cli(
      'referrals',
      'create',
      '--need',
      referralRef(need.id),
      '--service',
      'food-pantry-north',
      '--by',
      'nav-2',
    );
    expect(made.code).toBe(0);
    const [row] = await new ReferralRepository(ctx.db).list();
    const ref = referralRef(row!.referral.id);
    expect(made.out).toBe(`Referral ${ref} made: the need is referred to Northside Community Food Pantry.`);

    expect(await cli('referrals', 'update', ref, '--status', 'declined', '--by', 'nav-2')).toMatchObject({
      code: 1,
      err: 'Please give a reason when a referral is declined.',
    });
    const connected = await cli('referrals', 'update', ref, '--status', 'connected', '--by', 'counselor-1');
    expect(connected.code).toBe(0);
    expect(connected.out).toContain(`Referral ${ref} is now connected.`);
    expect(await cli('referrals', 'update', ref, '--status', 'referred', '--by', 'lead-1')).toMatchObject({
      code: 1,
      err: 'A referral that is connected cannot become referred.',
    });
    const list = await cli('referrals', 'list', '--status', 'connected');
    expect(list.out).toContain(ref);
    expect(list.out).toContain('Northside Community Food Pantry');
    expect(await cli('referrals', 'list', '--status', 'stuck')).toMatchObject({ code: 1 });
    const shown = await cli('referrals', 'show', ref);
    expect(shown.out).toContain(`Referral ${ref}: connected`);
    expect(shown.out).toMatch(/staff:nav-2\s+referred/);
    expect(shown.out).toMatch(/staff:counselor-1\s+-> connected/);
  });
});
