import type { AppContext } from '../context.js';
import type { TimerHandlers } from '../jobs/timer-runner.js';
import type { MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.js';
import { type EscalationRow, NeedRepository } from '../store/repositories/needs.js';
import { OutboxRepository, outboxKey } from '../store/repositories/outbox.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';
import { TimerRepository } from '../store/repositories/timers.js';
import { defaultStaffRoute, type StaffRoute } from './staff-routing.js';

/** The timer kind of an escalation's deadline; its handler is `escalationTimerHandlers`. */
export const ESCALATION_DEADLINE = 'escalation_sla';

/** How long a counselor has to pick up an escalation before the lead navigators are told. */
export const ESCALATION_DUE_MS = { urgent: 30 * 60_000, normal: 2 * 24 * 60 * 60_000 } as const;

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

/**
 * The one way an escalation is raised (check-in, family crisis text, navigator's request): stored with its
 * deadline from `ESCALATION_DUE_MS`, audit-logged with the note masked, and handed to people (see
 * `routeEscalation`), all in the caller's transaction.
 */
export async function raiseEscalation(
  tx: DbOrTx,
  ctx: AppContext,
  request: EscalationRequest,
  route: StaffRoute = defaultStaffRoute(ctx.config),
): Promise<EscalationRow> {
  const now = ctx.clock();
  const row = await new NeedRepository(tx).insertEscalation({
    id: ctx.ids(),
    studentId: request.studentId ?? null,
    guardianId: request.guardianId ?? null,
    trigger: request.trigger,
    urgent: request.urgent,
    source: request.source,
    raisedBy: request.raisedBy,
    status: 'open',
    summary: request.summary,
    note: request.note ?? null,
    dueAt: now + (request.urgent ? ESCALATION_DUE_MS.urgent : ESCALATION_DUE_MS.normal),
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

/** Who hears about an escalation: the counselors of the student's school(s), or every counselor if unknown. */
async function schoolsOf(db: DbOrTx, e: EscalationRow): Promise<Set<string>> {
  const roster = new RosterRepository(db);
  const students = e.studentId
    ? [await roster.student(e.studentId)]
    : e.guardianId
      ? await roster.studentsOfGuardian(e.guardianId)
      : [];
  return new Set(students.flatMap((s) => (s ? [s.schoolId] : [])));
}

/** Who to try, nearest first: staff of the student's school(s), then district-wide staff with that role. */
async function candidates(db: DbOrTx, role: StaffRow['role'], schools: Set<string>): Promise<StaffRow[][]> {
  const staff = (await new RosterRepository(db).staffList([role])).filter((s) => s.active);
  return [
    staff.filter((s) => s.schoolId !== null && schools.has(s.schoolId)),
    staff.filter((s) => s.schoolId === null || schools.size === 0),
  ];
}

/**
 * Minimum necessary for a chat message: initials, grade, what it is about, and the id to look it up; never
 * the note or the family's words. Example: "Urgent escalation E-12: A. R., grade 7 — self-harm".
 */
/** A short reference staff can read out and type: the first 8 characters of the id, upper-cased. */
export function escalationRef(id: string): string {
  return id.replace(/-/g, '').slice(0, 8).toUpperCase();
}

async function payloadFor(db: DbOrTx, e: EscalationRow, key: string): Promise<MessagePayload> {
  const student = e.studentId ? await new RosterRepository(db).student(e.studentId) : undefined;
  return {
    key,
    params: {
      id: escalationRef(e.id),
      who: student ? `${student.firstName[0]}. ${student.lastName[0]}., grade ${student.grade}` : 'a family',
      trigger: { key: `common.trigger.${e.trigger}` },
      urgency: { key: e.urgent ? 'common.urgency.urgent' : 'common.urgency.normal' },
    },
  };
}

async function notify(
  tx: DbOrTx,
  ctx: AppContext,
  route: StaffRoute,
  e: EscalationRow,
  people: StaffRow[],
  purpose: string,
  key: string,
): Promise<number> {
  let sent = 0;
  for (const person of people) {
    const to = route(person);
    if (!to) continue;
    // Counted as reached even when the same notice was queued before (idempotent per escalation and person).
    await OutboxRepository.enqueue(tx, {
      id: ctx.ids(),
      idempotencyKey: outboxKey({ purpose, recipient: `staff:${person.id}`, period: e.id }),
      channel: to.channel,
      recipientKind: 'staff',
      recipientId: person.id,
      address: to.address,
      purpose,
      locale: person.locale,
      payload: await payloadFor(tx, e, key),
      origin: { escalationId: e.id, ...(e.studentId ? { studentId: e.studentId } : {}) },
      urgent: e.urgent,
      createdAt: ctx.clock(),
    });
    sent += 1;
  }
  return sent;
}

/**
 * Hands a new escalation to people, in the caller's transaction: the counselors of the student's school are
 * told (lead navigators when no counselor can be reached), and a deadline timer is set; if nobody has picked
 * it up by then, the lead navigators are told it is overdue. Returns how many staff were notified.
 */
export async function routeEscalation(
  tx: DbOrTx,
  ctx: AppContext,
  route: StaffRoute,
  escalationId: string,
): Promise<number> {
  const e = await new NeedRepository(tx).escalation(escalationId);
  if (!e) return 0;
  const schools = await schoolsOf(tx, e);
  let sent = 0;
  for (const people of [
    ...(await candidates(tx, 'counselor', schools)),
    ...(await candidates(tx, 'lead_navigator', schools)),
  ]) {
    sent = await notify(tx, ctx, route, e, people, 'escalation:new', 'common.escalation_new');
    if (sent > 0) break;
  }
  if (sent === 0)
    ctx.logger.error(
      { escalationId: e.id },
      'escalation: no counselor or lead navigator can be reached in chat',
    );
  const dueAt = e.dueAt ?? e.createdAt + (e.urgent ? ESCALATION_DUE_MS.urgent : ESCALATION_DUE_MS.normal);
  if (e.dueAt === null) await new NeedRepository(tx).setEscalationDue(e.id, dueAt);
  await TimerRepository.schedule(tx, {
    id: ctx.ids(),
    kind: ESCALATION_DEADLINE,
    uniqueKey: `${ESCALATION_DEADLINE}|${e.id}`,
    fireAt: dueAt,
    payload: { escalationId: e.id },
    createdAt: ctx.clock(),
  });
  return sent;
}

/** The deadline passed: if the escalation is still open, the lead navigators are told, and it is audit-logged. */
export function escalationOverdue(ctx: AppContext, route: StaffRoute, escalationId: string): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    const e = await new NeedRepository(tx).escalation(escalationId);
    if (!e) return 'skipped:unknown_escalation';
    if (e.status !== 'open') return `skipped:${e.status}`;
    let sent = 0;
    for (const people of await candidates(tx, 'lead_navigator', await schoolsOf(tx, e))) {
      sent = await notify(tx, ctx, route, e, people, 'escalation:overdue', 'common.escalation_overdue');
      if (sent > 0) break;
    }
    if (sent === 0)
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
      before: { status: e.status, dueAt: e.dueAt },
      after: { notified: sent },
    });
    return `overdue:${sent}`;
  });
}

/** The escalation timer kinds, registered with the timer runner beside the check-in kinds. */
export function escalationTimerHandlers(route?: StaffRoute): TimerHandlers {
  return {
    [ESCALATION_DEADLINE]: (timer, ctx) => {
      const id = (timer.payload as { escalationId?: string } | null)?.escalationId;
      return id ? escalationOverdue(ctx, route ?? defaultStaffRoute(ctx.config), id) : undefined;
    },
  };
}
