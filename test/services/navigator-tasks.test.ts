import { beforeEach, describe, expect, it } from 'vitest';
import { tasksDone, tasksList } from '../../src/cli/commands/tasks.js';
import { CommandError } from '../../src/cli/format.js';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { createTexts } from '../../src/i18n/index.js';
import type { SchoolCalendar } from '../../src/jobs/calendar.js';
import type { MessagePayload } from '../../src/messages.js';
import { CheckinService } from '../../src/services/checkins.js';
import {
  addSchoolDays,
  completeTask,
  NAVIGATOR_TASK_DUE,
  navigatorTaskHandlers,
} from '../../src/services/navigator-tasks.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { NavigatorTaskRepository } from '../../src/store/repositories/navigator-tasks.js';
import { RosterRepository, type StudentRow } from '../../src/store/repositories/roster.js';
import { SimulatorRepository } from '../../src/store/repositories/simulator.js';
import { TimerRepository } from '../../src/store/repositories/timers.js';
import { testContext } from '../helpers/context.js';

// Friday 2026-12-04, 16:00 in Chicago (Riverside Middle School's zone).
const FRIDAY = Date.parse('2026-12-04T22:00:00Z');
// Two school days later, over the weekend: Tuesday 16:00 Chicago.
const TUESDAY = Date.parse('2026-12-08T22:00:00Z');
const ZONE = 'America/Chicago';

let ctx: Awaited<ReturnType<typeof testContext>>;
let service: CheckinService;

beforeEach(async () => {
  ctx = await testContext({ now: FRIDAY });
  await seedDemoRoster(ctx);
  service = new CheckinService(ctx, createTexts({ defaultLocale: 'en' }));
});

/** A Riverside family with one child on nav-2's caseload, and that child. */
async function familyOfNav2(): Promise<{ guardianId: string; child: StudentRow }> {
  const roster = new RosterRepository(ctx.db);
  for (const g of await new SimulatorRepository(ctx.db).guardians()) {
    if (!g.phone) continue;
    const children = await roster.studentsOfGuardian(g.id);
    if (children.length === 1 && (await roster.navigatorOf(children[0]!.id)) === 'nav-2')
      return { guardianId: g.id, child: children[0]! };
  }
  throw new Error('demo roster has no such family');
}

/** The family answers their weekly check-in: the week was good, and yes, please call. */
async function familyAsksForACall(guardianId: string): Promise<void> {
  expect(await service.startFamily(guardianId)).toMatchObject({ ok: true });
  for (const text of ['1', '1']) await service.input('family', guardianId, { kind: 'text', text });
}

const dueTimers = async () =>
  (await new TimerRepository(ctx.db).list({ status: 'pending' })).filter(
    (t) => t.kind === NAVIGATOR_TASK_DUE,
  );

describe('a family call request becomes a task', () => {
  it("is the student's navigator's, due two school days later across the weekend, and they are told", async () => {
    const { guardianId, child } = await familyOfNav2();
    await familyAsksForACall(guardianId);
    const tasks = await new NavigatorTaskRepository(ctx.db).list();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      kind: 'call_request',
      navigatorId: 'nav-2',
      studentId: child.id,
      guardianId,
      status: 'open',
      dueAt: TUESDAY,
    });
    expect(await dueTimers()).toMatchObject([{ fireAt: TUESDAY, payload: { taskId: tasks[0]!.id } }]);
    const notice = (await new SimulatorRepository(ctx.db).messagesTo('nav-2')).find(
      (m) => m.purpose === 'task:call_request',
    );
    expect(notice?.payload).toEqual({
      key: 'staff.navigatorTaskCallRequested',
      params: { name: child.firstName, due: 'Tue 8 Dec, 16:00' },
    });
    expect(await new AuditRepository(ctx.db).listFor('navigator_task', tasks[0]!.id)).toHaveLength(1);
  });

  it('is not made when the family says no', async () => {
    const { guardianId } = await familyOfNav2();
    expect(await service.startFamily(guardianId)).toMatchObject({ ok: true });
    for (const text of ['1', '2']) await service.input('family', guardianId, { kind: 'text', text });
    expect(await new NavigatorTaskRepository(ctx.db).list()).toHaveLength(0);
  });

  it('skips weekends and the breaks of the school calendar', () => {
    const calendar: SchoolCalendar = {
      district: { breaks: [] },
      schools: {
        'sch-riverside': { breaks: [{ name: 'In-service day', from: '2026-12-07', to: '2026-12-07' }] },
      },
    };
    expect(addSchoolDays(FRIDAY, 2, ZONE, 'sch-riverside')).toBe(TUESDAY);
    expect(addSchoolDays(FRIDAY, 2, ZONE, 'sch-riverside', calendar)).toBe(
      Date.parse('2026-12-09T22:00:00Z'),
    );
    // Another school's break does not count.
    expect(addSchoolDays(FRIDAY, 2, ZONE, 'sch-bayview', calendar)).toBe(TUESDAY);
    // Saturday morning: Monday is the first school day, Tuesday the second.
    expect(addSchoolDays(Date.parse('2026-12-05T15:00:00Z'), 2, ZONE, 'sch-riverside')).toBe(
      Date.parse('2026-12-08T15:00:00Z'),
    );
  });

  it('takes its number of school days from the configuration', async () => {
    ctx = await testContext({ now: FRIDAY, env: { CALL_REQUEST_DUE_SCHOOL_DAYS: '3' } });
    await seedDemoRoster(ctx);
    service = new CheckinService(ctx, createTexts({ defaultLocale: 'en' }));
    const { guardianId } = await familyOfNav2();
    await familyAsksForACall(guardianId);
    expect((await new NavigatorTaskRepository(ctx.db).list())[0]?.dueAt).toBe(
      Date.parse('2026-12-09T22:00:00Z'),
    );
  });
});

describe('an undone call request at its deadline', () => {
  it('goes to the lead navigator of the school, once, without the family’s name or words', async () => {
    const { guardianId, child } = await familyOfNav2();
    await familyAsksForACall(guardianId);
    const [timer] = await dueTimers();
    ctx.clock.set(TUESDAY);
    const handler = navigatorTaskHandlers()[NAVIGATOR_TASK_DUE]!;
    expect(await handler(timer!, ctx)).toBe('overdue:1');
    expect(await handler(timer!, ctx)).toBe('overdue:1');
    const toLead = (await new SimulatorRepository(ctx.db).messagesTo('lead-1')).filter(
      (m) => m.purpose === 'task:overdue',
    );
    expect(toLead).toHaveLength(1);
    const payload = toLead[0]!.payload as MessagePayload;
    expect(payload).toEqual({
      key: 'staff.navigatorTaskOverdue',
      params: {
        navigator: 'Tom Brennan',
        who: `${child.firstName[0]}. ${child.lastName[0]}., grade ${child.grade}`,
        due: 'Tue 8 Dec, 16:00',
      },
    });
    expect(JSON.stringify(payload)).not.toContain(child.firstName.slice(1));
    // The other school's lead hears nothing.
    expect(await new SimulatorRepository(ctx.db).messagesTo('lead-2')).toHaveLength(0);
    const audit = await new AuditRepository(ctx.db).listFor(
      'navigator_task',
      (timer!.payload as { taskId: string }).taskId,
    );
    expect(audit.map((a) => a.action)).toEqual(['create', 'overdue', 'overdue']);
  });

  it('moves instead when a holiday added since falls before it', async () => {
    const { guardianId } = await familyOfNav2();
    await familyAsksForACall(guardianId);
    const [timer] = await dueTimers();
    ctx.clock.set(TUESDAY);
    const calendar: SchoolCalendar = {
      district: { breaks: [{ name: 'Snow day', from: '2026-12-08', to: '2026-12-08' }] },
      schools: {},
    };
    const handler = navigatorTaskHandlers({ calendar: () => calendar })[NAVIGATOR_TASK_DUE]!;
    expect(await handler(timer!, ctx)).toBe('rescheduled');
    const wednesday = Date.parse('2026-12-09T22:00:00Z');
    expect((await new NavigatorTaskRepository(ctx.db).list())[0]?.dueAt).toBe(wednesday);
    expect((await dueTimers()).map((t) => t.fireAt)).toContain(wednesday);
    expect(await new SimulatorRepository(ctx.db).messagesTo('lead-1')).toHaveLength(0);
  });
});

describe('marking a call request done', () => {
  it('stops the deadline: the lead navigator is not told', async () => {
    const { guardianId } = await familyOfNav2();
    await familyAsksForACall(guardianId);
    const [timer] = await dueTimers();
    const task = (await new NavigatorTaskRepository(ctx.db).list())[0]!;
    const done = await completeTask(ctx, task.id, 'nav-2');
    expect(done).toMatchObject({ ok: true, task: { status: 'done', doneBy: 'nav-2' } });
    expect(await dueTimers()).toHaveLength(0);
    ctx.clock.set(TUESDAY);
    expect(await navigatorTaskHandlers()[NAVIGATOR_TASK_DUE]!(timer!, ctx)).toBe('skipped:done');
    expect(await new SimulatorRepository(ctx.db).messagesTo('lead-1')).toHaveLength(0);
    expect(await completeTask(ctx, task.id, 'nav-2')).toMatchObject({
      ok: false,
      problem: 'task:already_done',
      message: `Call request ${task.id} was already marked done.`,
    });
  });

  it('is refused to another navigator with a sentence in their language, and allowed to the lead', async () => {
    const { guardianId } = await familyOfNav2();
    await familyAsksForACall(guardianId);
    const task = (await new NavigatorTaskRepository(ctx.db).list())[0]!;
    // nav-1 works in Spanish.
    expect(await completeTask(ctx, task.id, 'nav-1')).toEqual({
      ok: false,
      problem: 'task:not_allowed',
      message: `Solo el navegador del estudiante o un navegador líder de la escuela puede marcar como hecha la llamada ${task.id}.`,
    });
    expect(await completeTask(ctx, task.id, 'lead-2')).toMatchObject({
      ok: false,
      problem: 'task:not_allowed',
    });
    expect(await completeTask(ctx, 'nope', 'nav-2')).toMatchObject({ ok: false, problem: 'task:not_found' });
    expect(await completeTask(ctx, task.id, 'lead-1')).toMatchObject({ ok: true });
  });

  it('works from the command line: tasks list and tasks done', async () => {
    const { guardianId, child } = await familyOfNav2();
    await familyAsksForACall(guardianId);
    const task = (await new NavigatorTaskRepository(ctx.db).list())[0]!;
    const listed = await tasksList(ctx, {});
    expect(listed).toContain(task.id);
    expect(listed).toContain(`${child.firstName[0]}. ${child.lastName[0]}. (grade ${child.grade})`);
    expect(listed).toContain('2026-12-08 22:00');
    expect(listed).not.toContain(child.firstName.slice(1));
    await expect(tasksDone(ctx, task.id, 'nav-1')).rejects.toBeInstanceOf(CommandError);
    expect(await tasksDone(ctx, task.id, 'nav-2')).toBe(`Call request ${task.id} is marked done.`);
    expect(await tasksList(ctx, {})).toBe('No open tasks.');
    expect(await tasksList(ctx, { status: 'done' })).toContain(task.id);
    await expect(tasksList(ctx, { status: 'later' })).rejects.toThrow('Unknown status later');
  });
});
