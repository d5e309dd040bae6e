import { beforeEach, describe, expect, it } from 'vitest';
import { caseloadEntry } from '../../src/bots/chat/caseload.js';
import { caseloadWeek } from '../../src/services/caseload.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { PHONES, referralWorld } from './referrals-setup.js';

// Issue: a referral's progress is "visible to the navigator in the next check-in": the caseload every view
// renders lists the student's open referrals (and those closed this week), with the family's "not yet".

let world: Awaited<ReturnType<typeof referralWorld>>;
beforeEach(async () => {
  world = await referralWorld();
});

async function linesOf(studentId: string, locale = 'en'): Promise<string[]> {
  const navigator = (await new RosterRepository(world.ctx.db).staffById('nav-1'))!;
  const week = await caseloadWeek(world.ctx.db, world.texts, {
    navigator,
    period: '2026-W48',
    locale,
    now: world.ctx.clock(),
  });
  const student = week.students.find((s) => s.id === studentId);
  if (!student) throw new Error(`${studentId} is not on the caseload`);
  return caseloadEntry(world.texts, locale, student).details ?? [];
}

describe('the navigator sees referrals on the caseload', () => {
  it('shows the service, the area and the status as it moves, and the family saying not yet', async () => {
    const need = await world.need('st-en');
    expect((await linesOf('st-en')).some((l) => l.includes('Northside Food Pantry'))).toBe(false);
    const made = await world.referrals.create('nav-1', need.id, 'food-pantry');
    if (!made.ok) throw new Error(made.message);
    expect(await linesOf('st-en')).toContain('Referral: Northside Food Pantry (Food), referred');

    await world.referrals.update('couns-1', made.referral.id, 'connected');
    world.ctx.clock.advance(60 * 60_000);
    await world.inbound.receive(world.textFrom(PHONES.en, '2'));
    const lines = await linesOf('st-en');
    expect(lines.some((l) => /Northside Food Pantry.*connected.*not got help yet/.test(l))).toBe(true);
    // Another student's caseload line says nothing of it.
    expect((await linesOf('st-es')).some((l) => l.includes('Northside'))).toBe(false);
  });

  it('in Spanish, and a referral closed more than a week ago is no longer listed', async () => {
    const need = await world.need('st-es');
    const made = await world.referrals.create('nav-1', need.id, 'food-pantry');
    if (!made.ok) throw new Error(made.message);
    await world.referrals.update('nav-1', made.referral.id, 'resolved');
    expect((await linesOf('st-es', 'es')).some((l) => /^Derivación: Northside Food Pantry/.test(l))).toBe(
      true,
    );
    world.ctx.clock.advance(8 * 24 * 60 * 60_000);
    expect((await linesOf('st-es', 'es')).some((l) => l.includes('Northside'))).toBe(false);
  });
});
