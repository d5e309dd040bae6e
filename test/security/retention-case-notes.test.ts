import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { retentionRun } from '../../src/cli/commands/retention.js';
import { actOnEscalation } from '../../src/services/escalation-actions.js';
import { runRetention } from '../../src/services/retention.js';
import { engineOf } from '../../src/store/db.js';
import { REDACTED } from '../../src/store/repositories/retention.js';
import { tablesOf } from '../helpers/tables.js';
import { escalationScene, raise } from '../services/escalation-scene.js';
import { referralWorld } from '../services/referrals-setup.js';

// Staff's words on a case (an escalation's note, the notes added to it, a referral's decline reason) are
// personal words like a family's text: once the case is closed they go after the message cut-off (365 days by
// default). An open case keeps them however old, because someone still works from them.

const DAY = 86_400_000;
const LONG_AGO = Date.parse('2025-09-01T15:00:00Z');

async function notesOf(ctx: { db: Parameters<typeof engineOf>[0] }, escalationId: string) {
  const { escalationNotes } = tablesOf(ctx.db);
  const notes = await engineOf(ctx.db)
    .select({ text: escalationNotes.text })
    .from(escalationNotes)
    .where(eq(escalationNotes.escalationId, escalationId));
  return notes.map((n) => n.text);
}

async function escalationRow(ctx: { db: Parameters<typeof engineOf>[0] }, id: string) {
  const { escalations } = tablesOf(ctx.db);
  return (await engineOf(ctx.db).select().from(escalations).where(eq(escalations.id, id)))[0]!;
}

describe('retention of staff words on closed cases', () => {
  it('redacts the notes of an escalation resolved before the cut-off, never those of an open one', async () => {
    const { ctx, student } = await escalationScene(LONG_AGO);
    const closedOld = await raise(ctx, student);
    const openOld = await raise(ctx, student, true);
    for (const e of [closedOld, openOld]) {
      expect((await actOnEscalation(ctx, e.id, 'counselor-1', { kind: 'claim' })).ok).toBe(true);
      const noted = await actOnEscalation(ctx, e.id, 'counselor-1', {
        kind: 'note',
        text: `Called the aunt about ${e.id}`,
      });
      expect(noted.ok).toBe(true);
    }
    const resolved = await actOnEscalation(ctx, closedOld.id, 'counselor-1', {
      kind: 'resolve',
      outcome: 'handled_in_school',
      note: 'Met with the student twice',
    });
    expect(resolved.ok).toBe(true);
    // A case closed recently keeps its words until its own cut-off.
    ctx.clock.set(LONG_AGO + 300 * DAY);
    const closedRecent = await raise(ctx, student);
    await actOnEscalation(ctx, closedRecent.id, 'counselor-1', { kind: 'claim' });
    await actOnEscalation(ctx, closedRecent.id, 'counselor-1', { kind: 'note', text: 'Recent words' });
    await actOnEscalation(ctx, closedRecent.id, 'counselor-1', {
      kind: 'resolve',
      outcome: 'no_action_needed',
    });

    ctx.clock.set(LONG_AGO + 400 * DAY);
    const dry = await runRetention(ctx, { dryRun: true });
    expect(dry.counts.escalationNotes).toBe(1);
    expect((await notesOf(ctx, closedOld.id)).some((t) => t !== REDACTED)).toBe(true);
    expect(await retentionRun(ctx, true)).toContain('Would redact staff notes of 1 escalations');

    const report = await runRetention(ctx);
    expect(report.counts.escalationNotes).toBe(1);
    expect((await escalationRow(ctx, closedOld.id)).note).toBe(REDACTED);
    expect((await notesOf(ctx, closedOld.id)).length).toBeGreaterThan(0);
    expect((await notesOf(ctx, closedOld.id)).every((t) => t === REDACTED)).toBe(true);
    // The record of the case stays: its status, outcome and who held it.
    expect(await escalationRow(ctx, closedOld.id)).toMatchObject({
      status: 'resolved',
      outcome: 'handled_in_school',
      counselorId: 'counselor-1',
    });

    expect((await escalationRow(ctx, openOld.id)).note).toBe('Talked about not wanting to go home');
    expect(await notesOf(ctx, openOld.id)).toEqual([`Called the aunt about ${openOld.id}`]);
    expect(await notesOf(ctx, closedRecent.id)).toEqual(['Recent words']);
    expect((await escalationRow(ctx, closedRecent.id)).note).toBe('Talked about not wanting to go home');

    expect((await runRetention(ctx)).counts.escalationNotes).toBe(0);
  });

  it('redacts the decline reason of a referral closed before the cut-off and keeps a recent one', async () => {
    const world = await referralWorld();
    const { ctx } = world;
    const start = ctx.clock();
    const decline = async (studentId: string, reason: string) => {
      const need = await world.need(studentId);
      const made = await world.referrals.create('nav-1', need.id, 'food-pantry');
      if (!made.ok) throw new Error(made.message);
      const declined = await world.referrals.update('nav-1', made.referral.id, 'declined', reason);
      if (!declined.ok) throw new Error(declined.message);
      return made.referral.id;
    };
    const old = await decline('st-en', 'The family uses another pantry');
    ctx.clock.set(start + 300 * DAY);
    const recent = await decline('st-es', 'Too far from home');
    ctx.clock.set(start + 400 * DAY);

    expect((await runRetention(ctx, { dryRun: true })).counts.referralReasons).toBe(1);
    expect((await runRetention(ctx)).counts.referralReasons).toBe(1);
    const { referrals } = tablesOf(ctx.db);
    const reasonOf = async (id: string) =>
      (await engineOf(ctx.db).select().from(referrals).where(eq(referrals.id, id)))[0]!;
    expect(await reasonOf(old)).toMatchObject({ status: 'declined', declineReason: REDACTED });
    expect((await reasonOf(recent)).declineReason).toBe('Too far from home');
    expect((await runRetention(ctx)).counts.referralReasons).toBe(0);
  });
});
