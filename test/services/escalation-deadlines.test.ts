import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTimerRunner } from '../../src/jobs/timer-runner.js';
import { actOnEscalation } from '../../src/services/escalation-actions.js';
import {
  ESCALATION_CLIMB,
  ESCALATION_DEADLINE,
  escalationRef,
  escalationTimerHandlers,
} from '../../src/services/escalations.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { SimulatorRepository } from '../../src/store/repositories/simulator.js';
import { TimerRepository } from '../../src/store/repositories/timers.js';
import { escalationScene, raise, type SceneContext } from './escalation-scene.js';

// Riverside Middle School is in Chicago (UTC-6 in November). 20 November 2026 is a Friday.
const chicago = (local: string) => Date.parse(`${local}-06:00`);

const dir = mkdtempSync(join(tmpdir(), 'school-hours-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function timersOf(ctx: SceneContext, escalationId: string) {
  return (await new TimerRepository(ctx.db).list({ keyPrefix: 'escalation_', limit: 500 })).filter(
    (t) => (t.payload as { escalationId?: string } | null)?.escalationId === escalationId,
  );
}

const purposes = async (ctx: SceneContext, who: string) =>
  (await new SimulatorRepository(ctx.db).messagesTo(who)).map((m) => m.purpose);

describe('when an escalation falls due', () => {
  it('gives a normal case until the close of the next school day, across a weekend', async () => {
    const { ctx, student } = await escalationScene(chicago('2026-11-20T15:00:00'));
    const e = await raise(ctx, student);
    expect(e.dueAt).toBe(chicago('2026-11-23T16:00:00'));
    const [deadline] = await timersOf(ctx, e.id);
    expect(deadline).toMatchObject({ kind: ESCALATION_DEADLINE, fireAt: e.dueAt });
  });

  it('counts a case raised on a Saturday, or after school hours, from the next school day', async () => {
    const saturday = await escalationScene(chicago('2026-11-21T11:00:00'));
    expect((await raise(saturday.ctx, saturday.student)).dueAt).toBe(chicago('2026-11-23T16:00:00'));
    const evening = await escalationScene(chicago('2026-11-24T19:30:00'));
    expect((await raise(evening.ctx, evening.student)).dueAt).toBe(chicago('2026-11-25T16:00:00'));
  });

  it("follows the school's own hours and the calendar's breaks from the calendar file", async () => {
    const file = join(dir, 'calendar.json');
    writeFileSync(
      file,
      JSON.stringify({
        district: { breaks: [{ name: 'Thanksgiving', from: '2026-11-25', to: '2026-11-27' }] },
        schools: { 'sch-riverside': { hours: { days: [1, 2, 3, 4, 5], start: '07:30', end: '15:00' } } },
      }),
    );
    const { ctx, student } = await escalationScene(chicago('2026-11-24T10:00:00'), { CALENDAR_FILE: file });
    const e = await raise(ctx, student);
    expect(e.dueAt).toBe(chicago('2026-11-30T15:00:00'));
  });

  it('gives an urgent case 30 minutes on the wall clock, even on a Saturday night', async () => {
    const at = chicago('2026-11-21T23:10:00');
    const { ctx, student } = await escalationScene(at);
    const e = await raise(ctx, student, true);
    expect(e.dueAt).toBe(at + 30 * 60_000);
  });
});

describe('the chain climbs until someone acknowledges', () => {
  it('urgent: reminds the holder and the backup at 30 minutes, the lead navigators 30 minutes later', async () => {
    const at = chicago('2026-11-21T23:10:00');
    const { ctx, student } = await escalationScene(at);
    const e = await raise(ctx, student, true);
    const ref = escalationRef(e.id);
    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'claim' })).toMatchObject({ ok: true });
    const runner = createTimerRunner({ ctx, handlers: escalationTimerHandlers() });

    ctx.clock.set(at + 29 * 60_000);
    expect((await runner.runOnce()).fired).toBe(0);
    ctx.clock.set(at + 30 * 60_000);
    await runner.runOnce();
    expect(await purposes(ctx, 'counselor-1')).toEqual(['escalation:new', 'escalation:reminder']);
    // The backup: the other counselor of the school, not the district.
    expect(await purposes(ctx, 'counselor-3')).toEqual(['escalation:new', 'escalation:backup']);
    expect(await purposes(ctx, 'counselor-d')).toEqual([]);
    expect(await purposes(ctx, 'lead-1')).toEqual([]);

    ctx.clock.set(at + 60 * 60_000);
    await runner.runOnce();
    const [overdue] = await new SimulatorRepository(ctx.db).messagesTo('lead-1');
    expect(overdue).toMatchObject({ purpose: 'escalation:overdue', payload: { params: { id: ref } } });
    expect(await purposes(ctx, 'lead-2')).toEqual([]);

    // Each step once: run again much later, nothing new.
    ctx.clock.set(at + 5 * 60 * 60_000);
    await runner.runOnce();
    const timers = await timersOf(ctx, e.id);
    expect(timers.map((t) => `${t.kind}:${t.status}`).sort()).toEqual([
      `${ESCALATION_CLIMB}:fired`,
      `${ESCALATION_DEADLINE}:fired`,
    ]);
    expect(await purposes(ctx, 'lead-1')).toEqual(['escalation:overdue']);
    const steps = (await new AuditRepository(ctx.db).listFor('escalation', e.id)).filter(
      (a) => a.actor === 'system',
    );
    expect(steps.map((a) => a.action)).toEqual(['reminder', 'overdue']);
    expect(steps[0]).toMatchObject({ after: { reminded: ['counselor-1'], backups: ['counselor-3'] } });
  });

  it('normal, nobody holding it: every school counselor reminded, the district counselor as backup', async () => {
    const at = chicago('2026-11-20T15:00:00');
    const { ctx, student } = await escalationScene(at);
    const e = await raise(ctx, student);
    const runner = createTimerRunner({ ctx, handlers: escalationTimerHandlers() });
    ctx.clock.set(chicago('2026-11-23T16:00:00'));
    await runner.runOnce();
    expect(await purposes(ctx, 'counselor-1')).toContain('escalation:reminder');
    expect(await purposes(ctx, 'counselor-3')).toContain('escalation:reminder');
    expect(await purposes(ctx, 'counselor-d')).toEqual(['escalation:backup']);
    // The lead navigators a school day later: Tuesday's close, not Monday night.
    const climb = (await timersOf(ctx, e.id)).find((t) => t.kind === ESCALATION_CLIMB)!;
    expect(climb.fireAt).toBe(chicago('2026-11-24T16:00:00'));
    ctx.clock.set(chicago('2026-11-24T15:59:00'));
    await runner.runOnce();
    expect(await purposes(ctx, 'lead-1')).toEqual([]);
    ctx.clock.set(chicago('2026-11-24T16:00:00'));
    await runner.runOnce();
    expect(await purposes(ctx, 'lead-1')).toEqual(['escalation:overdue']);
  });

  it('stops at acknowledge: no lead navigator hears of it', async () => {
    const at = chicago('2026-11-24T10:00:00');
    const { ctx, student } = await escalationScene(at);
    const e = await raise(ctx, student, true);
    const runner = createTimerRunner({ ctx, handlers: escalationTimerHandlers() });
    ctx.clock.set(at + 30 * 60_000);
    await runner.runOnce();
    expect(await purposes(ctx, 'counselor-1')).toContain('escalation:reminder');
    expect(await actOnEscalation(ctx, e.id, 'counselor-1', { kind: 'acknowledge' })).toMatchObject({
      ok: true,
      card: { status: 'acknowledged', holder: 'Marcus Oyelaran' },
    });
    ctx.clock.set(at + 2 * 60 * 60_000);
    const round = await runner.runOnce();
    expect(round.log).toEqual([expect.stringMatching(/^escalation_climb .* skipped:acknowledged$/)]);
    expect(await purposes(ctx, 'lead-1')).toEqual([]);
    const climb = (await timersOf(ctx, e.id)).find((t) => t.kind === ESCALATION_CLIMB)!;
    expect(climb.status).toBe('fired');
  });

  it('starts over for the new holder when an acknowledged case is reassigned', async () => {
    const at = chicago('2026-11-24T10:00:00');
    const { ctx, student } = await escalationScene(at);
    const e = await raise(ctx, student, true);
    await actOnEscalation(ctx, e.id, 'counselor-1', { kind: 'acknowledge' });
    ctx.clock.set(at + 10 * 60_000);
    expect(
      await actOnEscalation(ctx, e.id, 'counselor-1', { kind: 'reassign', to: 'counselor-3' }),
    ).toMatchObject({ ok: true, card: { status: 'claimed', dueAt: at + 40 * 60_000 } });
    const runner = createTimerRunner({ ctx, handlers: escalationTimerHandlers() });
    ctx.clock.set(at + 40 * 60_000);
    await runner.runOnce();
    expect(await purposes(ctx, 'counselor-3')).toEqual(['escalation:new', 'escalation:reminder']);
    expect(await purposes(ctx, 'counselor-1')).toEqual(['escalation:new', 'escalation:backup']);
  });
});
