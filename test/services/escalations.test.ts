import { beforeEach, describe, expect, it } from 'vitest';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { createTexts } from '../../src/i18n/index.js';
import type { MessagePayload } from '../../src/messages.js';
import { CheckinService } from '../../src/services/checkins.js';
import { actOnEscalation } from '../../src/services/escalation-actions.js';
import {
  ESCALATION_CLIMB,
  ESCALATION_DEADLINE,
  escalationRef,
  escalationTimerHandlers,
} from '../../src/services/escalations.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { NeedRepository } from '../../src/store/repositories/needs.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { SimulatorRepository } from '../../src/store/repositories/simulator.js';
import { TimerRepository } from '../../src/store/repositories/timers.js';
import { testContext } from '../helpers/context.js';

const NOW = Date.parse('2026-11-24T15:00:00Z');
let ctx: Awaited<ReturnType<typeof testContext>>;
let service: CheckinService;

beforeEach(async () => {
  ctx = await testContext({ now: NOW });
  await seedDemoRoster(ctx);
  service = new CheckinService(ctx, createTexts({ defaultLocale: 'en' }));
});

/** nav-2 asks a counselor about their first student, with a private note. */
async function askCounselor() {
  await service.startNavigator('nav-2');
  const student = (await new RosterRepository(ctx.db).caseloadOf('nav-2'))[0]!;
  const outcome = await service.input('navigator', 'nav-2', {
    kind: 'command',
    command: 'ask_counselor',
    studentId: student.id,
    note: 'Talked about not wanting to go home',
  });
  expect(outcome).toMatchObject({ ok: true });
  const [escalation] = await new NeedRepository(ctx.db).escalations('open');
  return { student, escalation: escalation! };
}

describe('escalations reach people', () => {
  it("tells the school's counselor at once, with initials and grade only, and sets a deadline", async () => {
    const { student, escalation } = await askCounselor();
    const [notice, ...others] = await new SimulatorRepository(ctx.db).messagesTo('counselor-1');
    expect(others).toHaveLength(0);
    expect(notice).toMatchObject({ purpose: 'escalation:new', channel: 'local' });
    const payload = notice!.payload as MessagePayload;
    expect(payload.params).toMatchObject({
      id: escalationRef(escalation.id),
      who: `${student.firstName[0]}. ${student.lastName[0]}., grade ${student.grade}`,
    });
    expect(JSON.stringify(payload)).not.toContain('not wanting to go home');
    expect(JSON.stringify(payload)).not.toContain(student.firstName.slice(1));
    // The counselor of the other school hears nothing.
    expect(await new SimulatorRepository(ctx.db).messagesTo('counselor-2')).toHaveLength(0);
    // Raised Tuesday 09:00 in Chicago: due at the close of the next school day, Wednesday 16:00 there.
    const due = Date.parse('2026-11-25T22:00:00Z');
    expect((await new NeedRepository(ctx.db).escalation(escalation.id))!.dueAt).toBe(due);
    const timer = (await new TimerRepository(ctx.db).list({ status: 'pending' })).find(
      (t) => t.kind === 'escalation_sla',
    );
    expect(timer).toMatchObject({ fireAt: due, payload: { escalationId: escalation.id } });
  });

  it('reminds the counselor at the deadline, then tells the lead navigator, each once, audit-logged', async () => {
    const { escalation } = await askCounselor();
    const pending = () => new TimerRepository(ctx.db).list({ status: 'pending' });
    const deadline = (await pending()).find((t) => t.kind === ESCALATION_DEADLINE)!;
    const handlers = escalationTimerHandlers();
    expect(await handlers[ESCALATION_DEADLINE]!(deadline, ctx)).toBe('reminded:1:backup:0');
    expect((await new SimulatorRepository(ctx.db).messagesTo('counselor-1')).map((m) => m.purpose)).toEqual([
      'escalation:new',
      'escalation:reminder',
    ]);
    expect(await new SimulatorRepository(ctx.db).messagesTo('lead-1')).toHaveLength(0);
    const climb = (await pending()).find((t) => t.kind === ESCALATION_CLIMB)!;
    // Wednesday 16:00 due, Thursday 16:00 (Chicago) the lead navigators.
    expect(climb.fireAt).toBe(Date.parse('2026-11-26T22:00:00Z'));
    expect(await handlers[ESCALATION_CLIMB]!(climb, ctx)).toBe('overdue:1');
    expect(await handlers[ESCALATION_CLIMB]!(climb, ctx)).toBe('overdue:1');
    // Idempotent: the same notice is not queued twice.
    const [overdue, ...again] = await new SimulatorRepository(ctx.db).messagesTo('lead-1');
    expect(again).toHaveLength(0);
    expect(overdue).toMatchObject({ purpose: 'escalation:overdue' });
    expect(
      (await new AuditRepository(ctx.db).listFor('escalation', escalation.id)).map((a) => a.action),
    ).toEqual(['create', 'reminder', 'overdue', 'overdue']);
  });

  it('says nothing once the escalation was acknowledged in time', async () => {
    const { escalation } = await askCounselor();
    const ref = escalationRef(escalation.id);
    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'claim' })).toMatchObject({ ok: true });
    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'acknowledge' })).toMatchObject({
      ok: true,
    });
    expect(await new NeedRepository(ctx.db).escalation(escalation.id)).toMatchObject({
      status: 'acknowledged',
      counselorId: 'counselor-1',
    });
    expect(
      (await new AuditRepository(ctx.db).listFor('escalation', escalation.id)).map((a) => a.action),
    ).toEqual(['create', 'claim', 'acknowledge']);
    const timer = (await new TimerRepository(ctx.db).list({ status: 'pending' })).find(
      (t) => t.kind === ESCALATION_DEADLINE,
    )!;
    expect(await escalationTimerHandlers()[ESCALATION_DEADLINE]!(timer, ctx)).toBe('skipped:acknowledged');
    expect(await new SimulatorRepository(ctx.db).messagesTo('lead-1')).toHaveLength(0);
  });

  it('refuses an unknown reference or staff member, and a resolved escalation stays resolved', async () => {
    const { escalation } = await askCounselor();
    expect(await actOnEscalation(ctx, 'ZZZZZZZZ', 'counselor-1', { kind: 'claim' })).toEqual({
      ok: false,
      refusal: 'not_found',
      message: 'That escalation was not found.',
    });
    expect(await actOnEscalation(ctx, escalation.id, 'nobody', { kind: 'claim' })).toMatchObject({
      ok: false,
      refusal: 'unknown_staff',
    });
    expect(
      await actOnEscalation(ctx, escalation.id, 'counselor-1', {
        kind: 'resolve',
        outcome: 'handled_in_school',
      }),
    ).toMatchObject({ ok: true });
    expect(await actOnEscalation(ctx, escalation.id, 'counselor-1', { kind: 'claim' })).toMatchObject({
      ok: false,
      refusal: 'already_resolved',
    });
  });
});
