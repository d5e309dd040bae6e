import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerEscalationCommands } from '../../src/cli/commands/escalations.js';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { createTexts } from '../../src/i18n/index.js';
import { CheckinService } from '../../src/services/checkins.js';
import { escalationRef } from '../../src/services/escalations.js';
import { NeedRepository } from '../../src/store/repositories/needs.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { testContext } from '../helpers/context.js';

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
  const program = new Command().exitOverride();
  registerEscalationCommands(program, () => ctx);
  // Each command closes its database; keep the test's open across several commands.
  const close = ctx.db.close.bind(ctx.db);
  ctx.db.close = async () => {};
  try {
    await program.parseAsync(['node', 'cli', ...args]);
  } finally {
    ctx.db.close = close;
  }
}

describe('escalations command line', () => {
  it('lists open escalations without names or notes, claims one by reference, and refuses unknown ones', async () => {
    const service = new CheckinService(ctx, createTexts({ defaultLocale: 'en' }));
    await service.startNavigator('nav-2');
    const student = (await new RosterRepository(ctx.db).caseloadOf('nav-2'))[0]!;
    await service.input('navigator', 'nav-2', {
      kind: 'command',
      command: 'ask_counselor',
      studentId: student.id,
      note: 'private words',
    });
    const [e] = await new NeedRepository(ctx.db).escalations('open');
    const ref = escalationRef(e!.id);

    await cli('escalations', 'list');
    const listing = out.join('\n');
    expect(listing).toContain(ref);
    expect(listing).toContain(`${student.firstName[0]}. ${student.lastName[0]}. (grade ${student.grade})`);
    expect(listing).not.toContain('private words');
    expect(listing).not.toContain(student.lastName);

    await cli('escalations', 'claim', ref, '--by', 'counselor-1');
    expect(out.at(-1)).toBe(`You have claimed escalation ${ref}. Please contact the student or family.`);
    expect((await new NeedRepository(ctx.db).escalation(e!.id))?.status).toBe('claimed');

    await cli('escalations', 'resolve', 'NOPE1234', '--by', 'counselor-1', '--outcome', 'handled_in_school');
    expect(err.at(-1)).toBe('That escalation was not found.');
    expect(process.exitCode).toBe(1);
  });
});
