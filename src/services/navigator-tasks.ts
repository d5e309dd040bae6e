import { DateTime } from 'luxon';
import type { AppContext } from '../context.js';
import { type StaffKey, staffText } from '../i18n/staff.js';
import { breakOn, EMPTY_CALENDAR, type SchoolCalendar } from '../jobs/calendar.js';
import type { TimerHandlers } from '../jobs/timer-runner.js';
import type { DbOrTx } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.js';
import { NavigatorTaskRepository, type NavigatorTaskRow } from '../store/repositories/navigator-tasks.js';
import { OutboxRepository, outboxKey } from '../store/repositories/outbox.js';
import { RosterRepository, type StaffRow, type StudentRow } from '../store/repositories/roster.js';
import { TimerRepository } from '../store/repositories/timers.js';
import type { NavigatorTaskStatus } from '../store/schema/index.js';
import { defaultStaffRoute, type StaffRoute } from './staff-routing.js';

// A family that asks for a call has been promised one ("Your navigator will call you soon"). The promise
// becomes a task the navigator owns, with a deadline in school days; undone at the deadline, it goes to the
// lead navigator, so the promise is kept by someone.

export type { NavigatorTaskRow } from '../store/repositories/navigator-tasks.js';

/** The timer kind of a task's deadline; its handler is `navigatorTaskHandlers`. */
export const NAVIGATOR_TASK_DUE = 'navigator_task_due';

/** The family check-in step that asks "Would you like your navigator to call you?" and the answer that asks. */
const CALL_STEP = 'call';
const CALL_YES = 'yes';

/** True when a family's check-in answer asks for a call. */
export function isCallRequest(stepId: string, value: unknown): boolean {
  return stepId === CALL_STEP && value === CALL_YES;
}

/**
 * The instant `days` school days after `from`, at the same local time: weekends and the school's breaks and
 * holidays are not counted. Example: Friday 16:00 plus 2 school days is Tuesday 16:00.
 */
export function addSchoolDays(
  from: number,
  days: number,
  zone: string,
  schoolId: string,
  calendar: SchoolCalendar = EMPTY_CALENDAR,
): number {
  let at = DateTime.fromMillis(from, { zone });
  let counted = 0;
  // A calendar covering more than a year of days is a mistake in the file, not a reason to loop forever.
  for (let step = 0; counted < days && step < 400; step += 1) {
    at = at.plus({ days: 1 });
    if (at.weekday <= 5 && !breakOn(calendar, schoolId, at.toISODate()!)) counted += 1;
  }
  return at.toMillis();
}

/** A short reference a person can read out and type: the start of the task's id. */
export function taskRef(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** The local date (and time) of an instant, in words of a staff member's language: 'Tue 1 Dec, 16:00'. */
export function localWhen(ms: number, zone: string, locale: string, withTime = true): string {
  return DateTime.fromMillis(ms, { zone })
    .setLocale(locale)
    .toFormat(withTime ? 'ccc d LLL, HH:mm' : 'ccc d LLL');
}

const initials = (s: StudentRow) => `${s.firstName[0]}. ${s.lastName[0]}.`;

function timerKey(task: Pick<NavigatorTaskRow, 'id' | 'dueAt'>): string {
  return `${NAVIGATOR_TASK_DUE}|${task.id}|${task.dueAt}`;
}

/** The zone and school a task's deadline is reckoned in: the student's school, else the navigator's zone. */
async function placeOf(
  db: DbOrTx,
  ctx: AppContext,
  task: Pick<NavigatorTaskRow, 'studentId' | 'navigatorId'>,
): Promise<{ zone: string; schoolId: string }> {
  const roster = new RosterRepository(db);
  const student = task.studentId ? await roster.student(task.studentId) : undefined;
  const school = student ? await roster.school(student.schoolId) : undefined;
  const navigator = await roster.staffById(task.navigatorId);
  return {
    zone: school?.timezone ?? navigator?.timezone ?? ctx.config.defaultTimezone,
    schoolId: student?.schoolId ?? navigator?.schoolId ?? '',
  };
}

/**
 * A family asked for a call in their check-in: one task per navigator of the guardian's students (siblings
 * with one navigator make one call), due `callRequestDueSchoolDays` school days later, with its deadline
 * timer, an audit entry and a short notice to the navigator, all in the caller's transaction. Idempotent per
 * check-in session. Returns the ids of the tasks created.
 */
export async function recordCallRequest(
  tx: DbOrTx,
  ctx: AppContext,
  request: { guardianId: string; sessionId: string },
  options: { calendar?: SchoolCalendar; route?: StaffRoute } = {},
): Promise<string[]> {
  const roster = new RosterRepository(tx);
  const now = ctx.clock();
  const byNavigator = new Map<string, StudentRow>();
  for (const s of await roster.studentsOfGuardian(request.guardianId)) {
    if (!s.active) continue;
    const navigatorId = await roster.navigatorOf(s.id);
    if (navigatorId && !byNavigator.has(navigatorId)) byNavigator.set(navigatorId, s);
  }
  if (byNavigator.size === 0)
    ctx.logger.error({ guardianId: request.guardianId }, 'call request: no navigator has this family');
  const route = options.route ?? defaultStaffRoute(ctx.config);
  const created: string[] = [];
  for (const [navigatorId, student] of byNavigator) {
    const { zone, schoolId } = await placeOf(tx, ctx, { studentId: student.id, navigatorId });
    const task = {
      id: ctx.ids(),
      kind: 'call_request' as const,
      navigatorId,
      studentId: student.id,
      guardianId: request.guardianId,
      sourceKey: `call_request|${request.sessionId}|${navigatorId}`,
      dueAt: addSchoolDays(now, ctx.config.callRequestDueSchoolDays, zone, schoolId, options.calendar),
      createdAt: now,
    };
    if (!(await new NavigatorTaskRepository(tx).insert(task))) continue;
    created.push(task.id);
    await TimerRepository.schedule(tx, {
      id: ctx.ids(),
      kind: NAVIGATOR_TASK_DUE,
      uniqueKey: timerKey(task),
      fireAt: task.dueAt,
      payload: { taskId: task.id },
      createdAt: now,
    });
    await new AuditRepository(tx).append({
      at: now,
      actor: `guardian:${request.guardianId}`,
      entity: 'navigator_task',
      entityId: task.id,
      action: 'create',
      before: null,
      after: { kind: task.kind, navigatorId, studentId: student.id, dueAt: task.dueAt },
    });
    const navigator = await roster.staffById(navigatorId);
    const to = navigator?.active ? route(navigator) : null;
    if (navigator && to)
      await OutboxRepository.enqueue(tx, {
        id: ctx.ids(),
        idempotencyKey: outboxKey({
          purpose: 'task:call_request',
          recipient: `staff:${navigatorId}`,
          period: task.id,
        }),
        channel: to.channel,
        recipientKind: 'staff',
        recipientId: navigatorId,
        address: to.address,
        purpose: 'task:call_request',
        locale: navigator.locale,
        payload: {
          key: 'staff.navigatorTaskCallRequested',
          params: { name: student.firstName, due: localWhen(task.dueAt, zone, navigator.locale) },
        },
        origin: { studentId: student.id },
        urgent: false,
        createdAt: now,
      });
  }
  return created;
}

/** Lead navigators of a school, nearest first: the school's own, then district-wide ones. */
async function leadsFor(db: DbOrTx, schoolId: string | null): Promise<StaffRow[][]> {
  const leads = (await new RosterRepository(db).staffList(['lead_navigator'])).filter((s) => s.active);
  return [
    leads.filter((s) => schoolId !== null && s.schoolId === schoolId),
    leads.filter((s) => s.schoolId === null),
  ];
}

/**
 * A task's deadline passed. Done: nothing. A holiday added to the calendar since it was set: the deadline
 * moves. Otherwise the lead navigators of the student's school are told (district-wide ones when the school
 * has none reachable), once each, and it is audit-logged.
 */
export function taskOverdue(
  ctx: AppContext,
  taskId: string,
  options: { calendar?: SchoolCalendar; route?: StaffRoute } = {},
): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    const tasks = new NavigatorTaskRepository(tx);
    const task = await tasks.get(taskId);
    if (!task) return 'skipped:unknown_task';
    if (task.status !== 'open') return `skipped:${task.status}`;
    const now = ctx.clock();
    const { zone, schoolId } = await placeOf(tx, ctx, task);
    const due = addSchoolDays(
      task.createdAt,
      ctx.config.callRequestDueSchoolDays,
      zone,
      schoolId,
      options.calendar,
    );
    if (due > now) {
      await tasks.setDue(task.id, due);
      await TimerRepository.schedule(tx, {
        id: ctx.ids(),
        kind: NAVIGATOR_TASK_DUE,
        uniqueKey: timerKey({ id: task.id, dueAt: due }),
        fireAt: due,
        payload: { taskId: task.id },
        createdAt: now,
      });
      return 'rescheduled';
    }
    const roster = new RosterRepository(tx);
    const navigator = await roster.staffById(task.navigatorId);
    const student = task.studentId ? await roster.student(task.studentId) : undefined;
    const route = options.route ?? defaultStaffRoute(ctx.config);
    let sent = 0;
    for (const people of await leadsFor(tx, student?.schoolId ?? navigator?.schoolId ?? null)) {
      for (const lead of people) {
        const to = route(lead);
        if (!to) continue;
        await OutboxRepository.enqueue(tx, {
          id: ctx.ids(),
          idempotencyKey: outboxKey({
            purpose: 'task:overdue',
            recipient: `staff:${lead.id}`,
            period: task.id,
          }),
          channel: to.channel,
          recipientKind: 'staff',
          recipientId: lead.id,
          address: to.address,
          purpose: 'task:overdue',
          locale: lead.locale,
          payload: {
            key: 'staff.navigatorTaskOverdue',
            params: {
              navigator: navigator?.name ?? task.navigatorId,
              who: student
                ? `${initials(student)}, ${staffText(lead.locale, 'grade', { grade: student.grade })}`
                : '-',
              due: localWhen(task.dueAt, zone, lead.locale),
            },
          },
          ...(task.studentId ? { origin: { studentId: task.studentId } } : {}),
          urgent: false,
          createdAt: now,
        });
        sent += 1;
      }
      if (sent > 0) break;
    }
    if (sent === 0)
      ctx.logger.error({ taskId }, 'call request overdue and no lead navigator can be reached in chat');
    await new AuditRepository(tx).append({
      at: now,
      actor: 'system',
      entity: 'navigator_task',
      entityId: task.id,
      action: 'overdue',
      before: { status: task.status, dueAt: task.dueAt },
      after: { notified: sent },
    });
    return `overdue:${sent}`;
  });
}

/** Why a task could not be marked done; `message` is the sentence to show, in the person's language. */
export type TaskProblem = 'task:not_found' | 'task:unknown_staff' | 'task:not_allowed' | 'task:already_done';

const PROBLEM_TEXT: Record<TaskProblem, StaffKey> = {
  'task:not_found': 'navigatorTaskNotFound',
  'task:unknown_staff': 'navigatorTaskUnknownStaff',
  'task:not_allowed': 'navigatorTaskNotAllowed',
  'task:already_done': 'navigatorTaskAlreadyDone',
};

/**
 * The navigator who owns a task (or a lead navigator of its school, or a district-wide one) marks it done: the
 * deadline timer is cancelled and it is audit-logged. Example: `completeTask(ctx, '3f2a9c1b', 'nav-1')`.
 */
export function completeTask(
  ctx: AppContext,
  ref: string,
  staffId: string,
): Promise<
  { ok: true; task: NavigatorTaskRow; message: string } | { ok: false; problem: TaskProblem; message: string }
> {
  return ctx.db.transaction(async (tx) => {
    const roster = new RosterRepository(tx);
    const staff = await roster.staffById(staffId);
    const locale = staff?.locale ?? ctx.config.defaultLocale;
    const refuse = (problem: TaskProblem) =>
      ({ ok: false, problem, message: staffText(locale, PROBLEM_TEXT[problem], { ref }) }) as const;
    if (!staff?.active) return refuse('task:unknown_staff');
    const tasks = new NavigatorTaskRepository(tx);
    const task = await tasks.byRef(ref);
    if (!task) return refuse('task:not_found');
    const student = task.studentId ? await roster.student(task.studentId) : undefined;
    const schoolId = student?.schoolId ?? (await roster.staffById(task.navigatorId))?.schoolId ?? null;
    const isLead =
      staff.role === 'lead_navigator' && (staff.schoolId === null || staff.schoolId === schoolId);
    if (staff.id !== task.navigatorId && !isLead) return refuse('task:not_allowed');
    const now = ctx.clock();
    if (!(await tasks.markDone(task.id, staff.id, now))) return refuse('task:already_done');
    await new TimerRepository(tx).cancel([timerKey(task)]);
    await new AuditRepository(tx).append({
      at: now,
      actor: `staff:${staff.id}`,
      entity: 'navigator_task',
      entityId: task.id,
      action: 'done',
      before: { status: task.status },
      after: { status: 'done' },
    });
    return {
      ok: true,
      task: { ...task, status: 'done', doneAt: now, doneBy: staff.id },
      message: staffText(locale, 'navigatorTaskDone', { ref: taskRef(task.id) }),
    } as const;
  });
}

/** A task as a list shows it: minimum necessary (initials and grade), the deadline and whether it passed. */
export interface TaskView {
  id: string;
  ref: string;
  kind: NavigatorTaskRow['kind'];
  navigatorId: string;
  student: string;
  status: NavigatorTaskStatus;
  dueAt: number;
  overdue: boolean;
}

/** Tasks of one navigator (or everyone's), by status, soonest deadline first. */
export async function listTasks(
  db: DbOrTx,
  now: number,
  options: { navigatorId?: string; status?: NavigatorTaskStatus } = {},
): Promise<TaskView[]> {
  const rows = await new NavigatorTaskRepository(db).list({
    ...(options.navigatorId ? { navigatorIds: [options.navigatorId] } : {}),
    ...(options.status ? { status: options.status } : {}),
  });
  const roster = new RosterRepository(db);
  const out: TaskView[] = [];
  for (const t of rows) {
    const s = t.studentId ? await roster.student(t.studentId) : undefined;
    out.push({
      id: t.id,
      ref: taskRef(t.id),
      kind: t.kind,
      navigatorId: t.navigatorId,
      student: s ? `${initials(s)} (grade ${s.grade})` : '-',
      status: t.status,
      dueAt: t.dueAt,
      overdue: t.status === 'open' && t.dueAt <= now,
    });
  }
  return out;
}

/** The task timer kinds; `calendar` is read when a deadline fires, so a holiday added since moves it. */
export function navigatorTaskHandlers(
  options: { route?: StaffRoute; calendar?: () => SchoolCalendar } = {},
): TimerHandlers {
  return {
    [NAVIGATOR_TASK_DUE]: (timer, ctx) => {
      const id = (timer.payload as { taskId?: string } | null)?.taskId;
      if (!id) return undefined;
      let calendar = EMPTY_CALENDAR;
      try {
        calendar = options.calendar?.() ?? EMPTY_CALENDAR;
      } catch (err) {
        // A broken calendar file must not hold back the lead's notice: weekends still count.
        ctx.logger.error({ err: err instanceof Error ? err.message : 'error' }, 'calendar not loaded');
      }
      return taskOverdue(ctx, id, { ...(options.route ? { route: options.route } : {}), calendar });
    },
  };
}
