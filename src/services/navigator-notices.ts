import type { AppContext } from '../context.js';
import type { MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import { type EscalationRow, NeedRepository } from '../store/repositories/needs.js';
import { OutboxRepository, outboxKey } from '../store/repositories/outbox.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';
import { escalationRef } from './escalations.js';
import { defaultStaffRoute, type StaffRoute } from './staff-routing.js';

// The navigator who handed a student to a counselor hears when it is taken and when it is closed, so the loop
// closes where they work. The notice says who took it and how it ended, never the note or the family's words:
// those stay in the counselor's private view.

/** What happened to the escalation. */
export type NavigatorNoticeEvent = 'claimed' | 'resolved';

/** The words of each way a case can end, as the navigator reads them (staff texts). */
const OUTCOME_TEXT: Record<string, string> = {
  connected_to_service: 'staff.navigatorNoticeOutcomeConnectedToService',
  handled_in_school: 'staff.navigatorNoticeOutcomeHandledInSchool',
  referred_outside: 'staff.navigatorNoticeOutcomeReferredOutside',
  no_action_needed: 'staff.navigatorNoticeOutcomeNoActionNeeded',
};

const NAVIGATOR_ROLES: ReadonlySet<StaffRow['role']> = new Set(['navigator', 'lead_navigator']);

/**
 * Who is told: the navigator who raised it; when a family or the system raised it (or a counselor), the
 * navigator of each student it is about.
 */
async function navigatorsOf(db: DbOrTx, e: EscalationRow): Promise<StaffRow[]> {
  const roster = new RosterRepository(db);
  if (e.raisedBy.startsWith('staff:')) {
    const raiser = await roster.staffById(e.raisedBy.slice('staff:'.length));
    if (raiser?.active && NAVIGATOR_ROLES.has(raiser.role)) return [raiser];
  }
  const students = e.studentId
    ? [await roster.student(e.studentId)].filter((s) => s !== undefined)
    : e.guardianId
      ? await roster.studentsOfGuardian(e.guardianId)
      : [];
  const out = new Map<string, StaffRow>();
  for (const s of students) {
    const id = await roster.navigatorOf(s.id);
    const navigator = id ? await roster.staffById(id) : undefined;
    if (navigator?.active) out.set(navigator.id, navigator);
  }
  return [...out.values()];
}

async function payloadFor(
  db: DbOrTx,
  e: EscalationRow,
  event: NavigatorNoticeEvent,
): Promise<MessagePayload> {
  const student = e.studentId ? await new RosterRepository(db).student(e.studentId) : undefined;
  const who = student
    ? `${student.firstName[0]}. ${student.lastName[0]}.`
    : { key: 'staff.navigatorNoticeAFamily' };
  const ref = escalationRef(e.id);
  if (event === 'claimed') {
    const counselor = e.counselorId ? await new RosterRepository(db).staffById(e.counselorId) : undefined;
    return {
      key: 'staff.navigatorNoticeClaimed',
      params: { ref, who, counselor: counselor?.name ?? { key: 'staff.navigatorNoticeACounselor' } },
    };
  }
  const outcome = (e.outcome && OUTCOME_TEXT[e.outcome]) || 'staff.navigatorNoticeOutcomeClosed';
  return { key: 'staff.navigatorNoticeResolved', params: { ref, who, outcome: { key: outcome } } };
}

/**
 * Queues, in the caller's transaction, a short notice to the navigator(s) of an escalation that it was claimed
 * ("Your escalation 1A2B3C4D for A. R. was claimed by Marcus Oyelaran.") or resolved ("… was resolved:
 * connected to a service."). Idempotent per escalation, event and navigator; nobody is told what they did
 * themselves. Returns how many notices were queued.
 */
export async function tellNavigator(
  tx: DbOrTx,
  ctx: AppContext,
  escalationId: string,
  event: NavigatorNoticeEvent,
  route: StaffRoute = defaultStaffRoute(ctx.config),
): Promise<number> {
  const e = await new NeedRepository(tx).escalation(escalationId);
  if (!e) return 0;
  let queued = 0;
  for (const navigator of await navigatorsOf(tx, e)) {
    if (navigator.id === e.counselorId) continue;
    const to = route(navigator);
    if (!to) {
      ctx.logger.warn({ escalationId, staffId: navigator.id }, 'navigator notice: no chat reaches them');
      continue;
    }
    const purpose = `escalation:navigator_${event}`;
    const id = await OutboxRepository.enqueue(tx, {
      id: ctx.ids(),
      idempotencyKey: outboxKey({ purpose, recipient: `staff:${navigator.id}`, period: e.id }),
      channel: to.channel,
      recipientKind: 'staff',
      recipientId: navigator.id,
      address: to.address,
      purpose,
      locale: navigator.locale,
      payload: await payloadFor(tx, e, event),
      // Not the escalation id: a chat renders a message tied to an escalation as its alert, with the
      // counselor's buttons, which a navigator must not get.
      origin: e.studentId ? { studentId: e.studentId } : {},
      urgent: false,
      createdAt: ctx.clock(),
    });
    if (id) queued += 1;
  }
  return queued;
}
