import type { AppContext } from '../context.js';
import { staffText } from '../i18n/staff.js';
import type { SchoolCalendar } from '../jobs/calendar.js';
import { endOfSchoolDaysAfter, readSchoolCalendar } from '../jobs/school-hours.js';
import type { TimerHandlers } from '../jobs/timer-runner.js';
import type { MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.js';
import { type EscalationRow, NeedRepository } from '../store/repositories/needs.js';
import { OutboxRepository, outboxKey } from '../store/repositories/outbox.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';
import { TimerRepository } from '../store/repositories/timers.js';
import { defaultStaffRoute, type StaffRoute } from './staff-routing.js';

// Deadlines that climb. An escalation nobody has acknowledged (status open or claimed) when it falls due:
//   step 1 (timer ESCALATION_DEADLINE): the holder is reminded (every counselor of the school when nobody holds
//          it) and the backup counselor is told;
//   step 2 (timer ESCALATION_CLIMB), a further interval later: the lead navigators get the overdue alert, with
//          the reference and the actions.
// Acknowledging or resolving stops the chain: each step looks at the status when it fires.
// Urgent cases are due 30 minutes after they are raised and climb 30 minutes later, on the wall clock (a crisis
// does not wait for school hours). Normal cases are due at the close of the next school day and climb at the
// close of the school day after that, by the school's hours and calendar (see `src/jobs/school-hours.ts`).
//
// The backup counselor: another active counselor of the student's school (the first by id who is not the
// holder); when the school has no other counselor, or nobody holds the case (then every school counselor is
// already reminded), the district-level counselors (staff with no school).

/** The timer kind of an escalation's first deadline (reminders); its handler is in `escalationTimerHandlers`. */
export const ESCALATION_DEADLINE = 'escalation_sla';
/** The timer kind of the second step (lead navigators told). */
export const ESCALATION_CLIMB = 'escalation_climb';

/** Wall-clock intervals of urgent cases: due 30 minutes after raising, lead navigators 30 minutes later. */
export const ESCALATION_DUE_MS = { urgent: 30 * 60_000 } as const;
export const ESCALATION_CLIMB_MS = { urgent: 30 * 60_000 } as const;

/** Outbox purposes of the chain's notices. */
export const ESCALATION_PURPOSE = {
  new: 'escalation:new',
  reminder: 'escalation:reminder',
  backup: 'escalation:backup',
  overdue: 'escalation:overdue',
} as const;

/** A hand-off to a counselor, before it has an id and a deadline. */
export interface EscalationRequest {
  studentId?: string | null;
  guardianId?: string | null;
  trigger: EscalationRow['trigger'];
  urgent: boolean;
  source: EscalationRow['source'];
  /** `staff:<id>`, `guardian:<id>`, `sms:unknown` or the participant the check-in ran for. */
  raisedBy: string;
  /** Seen in shared channels and lists: the trigger and ids only, never the family's words. */
  summary: string;
  /** Seen by the assigned counselor only. */
  note?: string | null;
}

/** What a deadline timer carries: the case, and the due time of the round it belongs to. */
interface DeadlinePayload {
  escalationId?: string;
  /** The case's `dueAt` when the timer was set; a later round (after a reassignment) supersedes it. */
  dueAt?: number;
  /** Empty for the first round, the restart time for later ones; part of timer and outbox keys. */
  round?: string;
}

/** The calendar (school hours, breaks) the deadlines are reckoned with, read afresh each time. */
function calendarOf(ctx: AppContext): SchoolCalendar {
  return readSchoolCalendar(ctx.config.calendarFile, (message) =>
    ctx.logger.error({ file: ctx.config.calendarFile, err: message }, 'calendar not loaded'),
  );
}

/** The school(s) of an escalation: the student's, or the schools of the guardian's students; empty if unknown. */
export async function escalationSchools(
  db: DbOrTx,
  e: Pick<EscalationRow, 'studentId' | 'guardianId'>,
): Promise<Set<string>> {
  const roster = new RosterRepository(db);
  const students = e.studentId
    ? [await roster.student(e.studentId)]
    : e.guardianId
      ? await roster.studentsOfGuardian(e.guardianId)
      : [];
  return new Set(students.flatMap((s) => (s ? [s.schoolId] : [])));
}

/** The school whose hours and time zone a deadline follows: the first of the case's schools, if any. */
async function deadlineSchool(
  db: DbOrTx,
  ctx: AppContext,
  e: Pick<EscalationRow, 'studentId' | 'guardianId'>,
): Promise<{ schoolId: string | null; zone: string }> {
  const [schoolId] = [...(await escalationSchools(db, e))].sort();
  const school = schoolId ? await new RosterRepository(db).school(schoolId) : undefined;
  return { schoolId: school?.id ?? null, zone: school?.timezone ?? ctx.config.defaultTimezone };
}

/** One step of a case's chain from `from`: `urgentMs` for an urgent case, the next school day's close otherwise. */
async function nextStep(
  db: DbOrTx,
  ctx: AppContext,
  e: Pick<EscalationRow, 'studentId' | 'guardianId' | 'urgent'>,
  from: number,
  urgentMs: number,
  calendar?: SchoolCalendar,
): Promise<number> {
  if (e.urgent) return from + urgentMs;
  const { schoolId, zone } = await deadlineSchool(db, ctx, e);
  return endOfSchoolDaysAfter(from, 1, zone, calendar ?? calendarOf(ctx), schoolId);
}

/**
 * When a case raised (or handed on) at `from` falls due: urgent 30 minutes later, normal at the close of the
 * next school day of its school.
 */
export function escalationDueAt(
  db: DbOrTx,
  ctx: AppContext,
  e: Pick<EscalationRow, 'studentId' | 'guardianId' | 'urgent'>,
  from: number,
  calendar?: SchoolCalendar,
): Promise<number> {
  return nextStep(db, ctx, e, from, ESCALATION_DUE_MS.urgent, calendar);
}

/** When the lead navigators are told, for a case due at `dueAt`: urgent 30 minutes on, normal a school day on. */
export function escalationClimbAt(
  db: DbOrTx,
  ctx: AppContext,
  e: Pick<EscalationRow, 'studentId' | 'guardianId' | 'urgent'>,
  dueAt: number,
  calendar?: SchoolCalendar,
): Promise<number> {
  return nextStep(db, ctx, e, dueAt, ESCALATION_CLIMB_MS.urgent, calendar);
}

/**
 * The one way an escalation is raised (check-in, family crisis text, navigator's request): stored with its
 * deadline (see `escalationDueAt`), audit-logged with the note masked, and handed to people (see
 * `routeEscalation`), all in the caller's transaction.
 */
export async function raiseEscalation(
  tx: DbOrTx,
  ctx: AppContext,
  request: EscalationRequest,
  route: StaffRoute = defaultStaffRoute(ctx.config),
): Promise<EscalationRow> {
  const now = ctx.clock();
  const where = { studentId: request.studentId ?? null, guardianId: request.guardianId ?? null };
  const row = await new NeedRepository(tx).insertEscalation({
    id: ctx.ids(),
    ...where,
    trigger: request.trigger,
    urgent: request.urgent,
    source: request.source,
    raisedBy: request.raisedBy,
    status: 'open',
    summary: request.summary,
    note: request.note ?? null,
    dueAt: await escalationDueAt(tx, ctx, { ...where, urgent: request.urgent }, now),
    createdAt: now,
    updatedAt: now,
  });
  await new AuditRepository(tx).append({
    at: now,
    actor: request.raisedBy,
    entity: 'escalation',
    entityId: row.id,
    action: 'create',
    before: null,
    after: { ...row, note: row.note ? '[note]' : null },
  });
  await routeEscalation(tx, ctx, route, row.id);
  return row;
}

/** Active staff with a role, nearest first: those of the case's school(s), then district-wide ones. */
async function candidates(db: DbOrTx, role: StaffRow['role'], schools: Set<string>): Promise<StaffRow[][]> {
  const staff = (await new RosterRepository(db).staffList([role])).filter((s) => s.active);
  return [
    staff.filter((s) => s.schoolId !== null && schools.has(s.schoolId)),
    staff.filter((s) => s.schoolId === null || schools.size === 0),
  ];
}

/** A short reference staff can read out and type: the first 8 characters of the id, upper-cased. */
export function escalationRef(id: string): string {
  return id.replace(/-/g, '').slice(0, 8).toUpperCase();
}

/**
 * Minimum necessary for a chat message: initials, grade, what it is about, and the reference to look it up;
 * never the note or the family's words. Example: "Urgent escalation E-12: A. R., grade 7 — self-harm".
 */
async function payloadFor(
  db: DbOrTx,
  e: EscalationRow,
  key: string,
  locale: string,
): Promise<MessagePayload> {
  const student = e.studentId ? await new RosterRepository(db).student(e.studentId) : undefined;
  return {
    key,
    params: {
      id: escalationRef(e.id),
      // Rendered here, in the reader's language: a text parameter cannot carry parameters of its own.
      who: student
        ? `${student.firstName[0]}. ${student.lastName[0]}., ${staffText(locale, 'grade', { grade: student.grade })}`
        : staffText(locale, 'aFamily'),
      trigger: { key: `common.trigger.${e.trigger}` },
      urgency: { key: e.urgent ? 'common.urgency.urgent' : 'common.urgency.normal' },
    },
  };
}

/** Queues one notice per reachable person, idempotent per purpose, person, case and round. */
async function notify(
  tx: DbOrTx,
  ctx: AppContext,
  route: StaffRoute,
  e: EscalationRow,
  people: StaffRow[],
  purpose: string,
  key: string,
  round = '',
): Promise<string[]> {
  const reached: string[] = [];
  for (const person of people) {
    const to = route(person);
    if (!to) continue;
    // Counted as reached even when the same notice was queued before (idempotent per escalation and person).
    await OutboxRepository.enqueue(tx, {
      id: ctx.ids(),
      idempotencyKey: outboxKey({
        purpose,
        recipient: `staff:${person.id}`,
        period: e.id,
        ...(round ? { step: round } : {}),
      }),
      channel: to.channel,
      recipientKind: 'staff',
      recipientId: person.id,
      address: to.address,
      purpose,
      locale: person.locale,
      payload: await payloadFor(tx, e, key, person.locale),
      origin: { escalationId: e.id, ...(e.studentId ? { studentId: e.studentId } : {}) },
      urgent: e.urgent,
      createdAt: ctx.clock(),
    });
    reached.push(person.id);
  }
  return reached;
}

/** Sets one step's timer, once per case and round (a unique key), carrying the round's due time. */
async function scheduleStep(
  tx: DbOrTx,
  ctx: AppContext,
  kind: string,
  e: EscalationRow,
  fireAt: number,
  round: string,
): Promise<void> {
  const payload: DeadlinePayload = {
    escalationId: e.id,
    dueAt: e.dueAt ?? fireAt,
    ...(round ? { round } : {}),
  };
  await TimerRepository.schedule(tx, {
    id: ctx.ids(),
    kind,
    uniqueKey: round ? `${kind}|${e.id}|${round}` : `${kind}|${e.id}`,
    fireAt,
    payload: { ...payload },
    createdAt: ctx.clock(),
  });
}

/**
 * Hands a new escalation to people, in the caller's transaction: the counselors of the student's school are
 * told (district counselors when the school has none, lead navigators when no counselor can be reached), and
 * the first deadline timer is set. Returns how many staff were notified.
 */
export async function routeEscalation(
  tx: DbOrTx,
  ctx: AppContext,
  route: StaffRoute,
  escalationId: string,
): Promise<number> {
  const needs = new NeedRepository(tx);
  let e = await needs.escalation(escalationId);
  if (!e) return 0;
  const schools = await escalationSchools(tx, e);
  let sent = 0;
  for (const people of [
    ...(await candidates(tx, 'counselor', schools)),
    ...(await candidates(tx, 'lead_navigator', schools)),
  ]) {
    sent = (await notify(tx, ctx, route, e, people, ESCALATION_PURPOSE.new, 'common.escalation_new')).length;
    if (sent > 0) break;
  }
  if (sent === 0)
    ctx.logger.error(
      { escalationId: e.id },
      'escalation: no counselor or lead navigator can be reached in chat',
    );
  if (e.dueAt === null) {
    await needs.setEscalationDue(e.id, await escalationDueAt(tx, ctx, e, e.createdAt));
    e = (await needs.escalation(e.id))!;
  }
  await scheduleStep(tx, ctx, ESCALATION_DEADLINE, e, e.dueAt!, '');
  return sent;
}

/**
 * Starts the chain over from now, for a case handed to someone new after its reminders stopped or before
 * anyone held it: a new due time and a new first step; timers of the earlier round then find themselves
 * superseded and do nothing.
 */
export async function restartDeadline(tx: DbOrTx, ctx: AppContext, escalationId: string): Promise<void> {
  const needs = new NeedRepository(tx);
  const found = await needs.escalation(escalationId);
  if (!found) return;
  const now = ctx.clock();
  await needs.setEscalationDue(found.id, await escalationDueAt(tx, ctx, found, now));
  const e = (await needs.escalation(found.id))!;
  await scheduleStep(tx, ctx, ESCALATION_DEADLINE, e, e.dueAt!, String(now));
}

/** Why a step does nothing: the case is gone, acknowledged or resolved, or a newer round replaced this one. */
function skipReason(e: EscalationRow | undefined, payload: DeadlinePayload): string | undefined {
  if (!e) return 'skipped:unknown_escalation';
  if (e.status !== 'open' && e.status !== 'claimed') return `skipped:${e.status}`;
  if (payload.dueAt !== undefined && e.dueAt !== null && payload.dueAt !== e.dueAt)
    return 'skipped:superseded';
  return undefined;
}

/** Step 1's people: whom to remind (the holder, or every school counselor) and the backup counselor(s). */
async function stepOnePeople(
  db: DbOrTx,
  e: EscalationRow,
  schools: Set<string>,
): Promise<{ remind: StaffRow[]; backup: StaffRow[] }> {
  const [school, district] = await candidates(db, 'counselor', schools);
  const found = e.counselorId ? await new RosterRepository(db).staffById(e.counselorId) : undefined;
  // A holder who has left is no holder: the school's counselors are reminded instead.
  const holder = found?.active ? found : undefined;
  if (holder) {
    const other = school!.find((s) => s.id !== holder.id);
    return {
      remind: [holder],
      backup: other ? [other] : district!.filter((s) => s.id !== holder.id),
    };
  }
  if (school!.length > 0) return { remind: school!, backup: district!.filter((s) => s.schoolId === null) };
  return { remind: district!, backup: [] };
}

/**
 * Step 1: the deadline passed and nobody acknowledged. The holder (or every school counselor) is reminded,
 * the backup counselor is told, the step is audit-logged and step 2 is set.
 */
export function escalationDeadlinePassed(
  ctx: AppContext,
  route: StaffRoute,
  payload: DeadlinePayload,
): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    const e = payload.escalationId
      ? await new NeedRepository(tx).escalation(payload.escalationId)
      : undefined;
    const skip = skipReason(e, payload);
    if (skip || !e) return skip ?? 'skipped:unknown_escalation';
    const round = payload.round ?? '';
    const { remind, backup } = await stepOnePeople(tx, e, await escalationSchools(tx, e));
    const reminded = await notify(
      tx,
      ctx,
      route,
      e,
      remind,
      ESCALATION_PURPOSE.reminder,
      'common.escalation_reminder',
      round,
    );
    const backups = await notify(
      tx,
      ctx,
      route,
      e,
      backup,
      ESCALATION_PURPOSE.backup,
      'common.escalation_backup',
      round,
    );
    if (reminded.length + backups.length === 0)
      ctx.logger.error({ escalationId: e.id }, 'escalation due and no counselor can be reached in chat');
    const climbAt = await escalationClimbAt(tx, ctx, e, e.dueAt ?? ctx.clock());
    await new AuditRepository(tx).append({
      at: ctx.clock(),
      actor: 'system',
      entity: 'escalation',
      entityId: e.id,
      action: 'reminder',
      before: { status: e.status, dueAt: e.dueAt, counselorId: e.counselorId },
      after: { reminded, backups, climbAt },
    });
    await scheduleStep(tx, ctx, ESCALATION_CLIMB, e, climbAt, round);
    return `reminded:${reminded.length}:backup:${backups.length}`;
  });
}

/**
 * Step 2: still not acknowledged. The lead navigators of the school (district ones when it has none) get the
 * overdue alert with the reference and the actions; audit-logged.
 */
export function escalationOverdue(
  ctx: AppContext,
  route: StaffRoute,
  payload: DeadlinePayload,
): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    const e = payload.escalationId
      ? await new NeedRepository(tx).escalation(payload.escalationId)
      : undefined;
    const skip = skipReason(e, payload);
    if (skip || !e) return skip ?? 'skipped:unknown_escalation';
    let reached: string[] = [];
    for (const people of await candidates(tx, 'lead_navigator', await escalationSchools(tx, e))) {
      reached = await notify(
        tx,
        ctx,
        route,
        e,
        people,
        ESCALATION_PURPOSE.overdue,
        'common.escalation_overdue',
        payload.round ?? '',
      );
      if (reached.length > 0) break;
    }
    if (reached.length === 0)
      ctx.logger.error(
        { escalationId: e.id },
        'escalation overdue and no lead navigator can be reached in chat',
      );
    await new AuditRepository(tx).append({
      at: ctx.clock(),
      actor: 'system',
      entity: 'escalation',
      entityId: e.id,
      action: 'overdue',
      before: { status: e.status, dueAt: e.dueAt, counselorId: e.counselorId },
      after: { notified: reached.length, leads: reached },
    });
    return `overdue:${reached.length}`;
  });
}

/** The escalation timer kinds, registered with the timer runner beside the check-in kinds. */
export function escalationTimerHandlers(route?: StaffRoute): TimerHandlers {
  const payloadOf = (p: unknown): DeadlinePayload =>
    p && typeof p === 'object' ? (p as DeadlinePayload) : {};
  return {
    [ESCALATION_DEADLINE]: (timer, ctx) => {
      const payload = payloadOf(timer.payload);
      return payload.escalationId
        ? escalationDeadlinePassed(ctx, route ?? defaultStaffRoute(ctx.config), payload)
        : undefined;
    },
    [ESCALATION_CLIMB]: (timer, ctx) => {
      const payload = payloadOf(timer.payload);
      return payload.escalationId
        ? escalationOverdue(ctx, route ?? defaultStaffRoute(ctx.config), payload)
        : undefined;
    },
  };
}
