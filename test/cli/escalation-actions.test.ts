import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerEscalationCommands } from '../../src/cli/commands/escalations.js';
import { escalationRef } from '../../src/services/escalations.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { NeedRepository } from '../../src/store/repositories/needs.js';
import { escalationScene, raise, type SceneContext } from '../services/escalation-scene.js';

let ctx: SceneContext;
let ref: string;
let id: string;
let out: string[];
let err: string[];

beforeEach(async () => {
  const scene = await escalationScene(Date.parse('2026-11-24T15:00:00Z'));
  ctx = scene.ctx;
  const e = await raise(ctx, scene.student);
  id = e.id;
  ref = escalationRef(e.id);
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs one command line; returns its exit status (0 unless the command refused). */
async function cli(...args: string[]): Promise<number> {
  process.exitCode = undefined;
  const program = new Command().exitOverride();
  registerEscalationCommands(program, () => ctx);
  const close = ctx.db.close.bind(ctx.db);
  ctx.db.close = async () => {};
  try {
    await program.parseAsync(['node', 'cli', 'escalations', ...args]);
  } finally {
    ctx.db.close = close;
  }
  return Number(process.exitCode ?? 0);
}

describe('escalations on the command line', () => {
  it('takes a case from claim to resolve with the same rules as the chat', async () => {
    expect(await cli('claim', ref, '--by', 'counselor-1')).toBe(0);
    expect(await cli('ack', ref, '--by', 'counselor-1')).toBe(0);
    expect(out.at(-1)).toBe(`You acknowledged escalation ${ref}; the reminders have stopped.`);
    expect(await cli('note', ref, '--by', 'nav-2', '--text', 'Mother works nights')).toBe(0);
    expect(await cli('reassign', ref, '--by', 'counselor-1', '--to', 'counselor-3')).toBe(0);
    expect(out.at(-1)).toBe(`Escalation ${ref} is now with Lena Park.`);
    expect(
      await cli('resolve', ref, '--by', 'counselor-3', '--outcome', 'handled_in_school', '--text', 'Met'),
    ).toBe(0);
    expect(out.at(-1)).toBe(`Escalation ${ref} is resolved (handled in school). Thank you.`);
    expect(await new NeedRepository(ctx.db).escalation(id)).toMatchObject({
      status: 'resolved',
      counselorId: 'counselor-3',
      outcome: 'handled_in_school',
    });
    expect(
      (await new AuditRepository(ctx.db).listFor('escalation', id)).map((a) => a.action).slice(1),
    ).toEqual(['claim', 'acknowledge', 'note', 'reassign', 'note', 'resolve']);
    expect(await cli('list', '--status', 'resolved')).toBe(0);
    expect(out.at(-1)).toContain('handled_in_school');
    expect(out.at(-1)).not.toContain('Mother works nights');
  });

  it('refuses with a sentence and a non-zero exit status, in English for a Spanish-speaking counselor', async () => {
    expect(await cli('claim', ref, '--by', 'nav-2')).toBe(1);
    expect(err.at(-1)).toBe(
      `Navigators can see escalation ${ref} and add a note, but only a counselor can claim, acknowledge, reassign or resolve it.`,
    );
    expect(await cli('claim', ref, '--by', 'counselor-2')).toBe(1);
    expect(err.at(-1)).toBe(
      `Escalation ${ref} belongs to Riverside Middle School: only its counselors, district counselors and its lead navigators can act on it.`,
    );
    expect(await cli('claim', ref, '--by', 'counselor-1')).toBe(0);
    expect(await cli('claim', ref, '--by', 'counselor-3')).toBe(1);
    expect(err.at(-1)).toBe(
      `Marcus Oyelaran already holds escalation ${ref}. Ask them or a lead navigator to reassign it.`,
    );
    expect(await cli('resolve', ref, '--by', 'counselor-1', '--outcome', 'fixed')).toBe(1);
    expect(err.at(-1)).toBe(
      'Please choose how it ended: connected to a service, handled in school, referred outside, no action needed.',
    );
    expect((await new NeedRepository(ctx.db).escalation(id))?.status).toBe('claimed');
  });

  it('explains every action in --help', async () => {
    const program = new Command().exitOverride();
    registerEscalationCommands(program, () => ctx);
    const group = program.commands.find((c) => c.name() === 'escalations')!;
    expect(group.commands.map((c) => c.name())).toEqual([
      'list',
      'claim',
      'ack',
      'note',
      'reassign',
      'resolve',
    ]);
    const help = group.helpInformation();
    for (const word of ['claim', 'ack', 'note', 'reassign', 'resolve']) expect(help).toContain(word);
    const resolve = group.commands.find((c) => c.name() === 'resolve')!.helpInformation();
    for (const outcome of [
      'connected_to_service',
      'handled_in_school',
      'referred_outside',
      'no_action_needed',
    ])
      expect(resolve).toContain(outcome);
  });
});
