import type { AppContext } from '../context.js';
import { type StaffKey, type StaffParams, staffText } from '../i18n/staff.js';
import type { DbOrTx } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.js';
import { EscalationNoteRepository } from '../store/repositories/escalation-notes.js';
import { type EscalationRow, NeedRepository } from '../store/repositories/needs.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';
import { queueAlertUpdates } from './escalation-alerts.js';
import {
  ESCALATION_NOTE_MAX,
  ESCALATION_OUTCOMES,
  type EscalationAction,
  type EscalationActionResult,
  isCounselorFor,
  isEscalationOutcome,
  isHolder,
  isLeadFor,
  LOCALE_FALLBACK,
  outcomeLabel,
  refuse,
  roleRefusal,
  type Scene,
  sceneOf,
  servesSchool,
} from './escalation-rules.js';
import { cardOf } from './escalation-view.js';
import { escalationRef, restartDeadline } from './escalations.js';
import { tellNavigator } from './navigator-notices.js';

// Claim, acknowledge, note, reassign and resolve: each in one transaction with its audit entry, by the rules
// of escalation-rules.ts, then the alerts refreshed in place and the navigator told.

/**
 * What a counselor, lead navigator or navigator does to an escalation (by id or short reference): the rules of
 * who may act, one transaction with its audit entry, then the alerts refreshed and the navigator told.
 * Refusals are returned (never thrown) with a sentence in the actor's language (or `options.locale`).
 * Example: `actOnEscalation(ctx, 'A1B2C3D4', 'counselor-1', { kind: 'claim' })`.
 */
export function actOnEscalation(
  ctx: AppContext,
  ref: string,
  actorStaffId: string,
  action: EscalationAction,
  options: { locale?: string } = {},
): Promise<EscalationActionResult> {
  return ctx.db.transaction(async (tx) => {
    const roster = new RosterRepository(tx);
    const found = await roster.staffById(actorStaffId);
    // A channel may answer in its own language (the command line is English) rather than the person's.
    const actor = found && options.locale ? { ...found, locale: options.locale } : found;
    const locale = actor?.locale ?? options.locale ?? LOCALE_FALLBACK;
    const e = await new NeedRepository(tx).escalationByRef(ref);
    if (!e) return refuse(locale, 'not_found', 'escalationNotFound');
    if (!actor?.active) return refuse(locale, 'unknown_staff', 'escalationUnknownStaff');
    const scene = await sceneOf(tx, e);
    const shortRef = escalationRef(e.id);
    if (e.status === 'resolved')
      return refuse(locale, 'already_resolved', 'escalationAlreadyResolvedRef', { ref: shortRef });
    const holder = e.counselorId ? await roster.staffById(e.counselorId) : undefined;
    const heldByOther = () =>
      refuse(
        locale,
        'claimed_by_other',
        'escalationClaimedByOther',
        { ref: shortRef, holder: holder?.name ?? e.counselorId ?? '-' },
        holder?.name ?? e.counselorId ?? undefined,
      );
    const act = new Acting(tx, ctx, scene, actor);
    switch (action.kind) {
      case 'claim': {
        if (!isCounselorFor(actor, scene)) return roleRefusal(actor, scene, shortRef, 'claim');
        if (e.counselorId === actor.id) return act.done('escalationAlreadyYours', { ref: shortRef });
        if (e.counselorId) return heldByOther();
        await act.change('claim', { status: 'claimed', counselorId: actor.id });
        await tellNavigator(tx, ctx, e.id, 'claimed');
        return act.done('escalationClaimed', { ref: shortRef });
      }
      case 'acknowledge': {
        if (!isCounselorFor(actor, scene)) return roleRefusal(actor, scene, shortRef, 'acknowledge');
        if (e.counselorId && e.counselorId !== actor.id) return heldByOther();
        if (e.status === 'acknowledged') return act.done('escalationAlreadyAcknowledged', { ref: shortRef });
        // Acknowledging a case nobody holds yet takes it too: one press from the alert is enough. The claim is
        // logged as its own step, as the digest's time-to-claim reads it.
        if (!e.counselorId) {
          await act.change('claim', { status: 'claimed', counselorId: actor.id });
          await tellNavigator(tx, ctx, e.id, 'claimed');
        }
        await act.change('acknowledge', { status: 'acknowledged', counselorId: actor.id });
        return act.done('escalationAcknowledged', { ref: shortRef });
      }
      case 'note': {
        const text = (action.text ?? '').trim().slice(0, ESCALATION_NOTE_MAX);
        const navigatorId = e.studentId ? await roster.navigatorOf(e.studentId) : null;
        const mayNote =
          isCounselorFor(actor, scene) ||
          isLeadFor(actor, scene) ||
          (actor.active &&
            actor.role === 'navigator' &&
            (actor.id === navigatorId || servesSchool(actor, scene.schools)));
        if (!mayNote)
          return refuse(locale, 'not_allowed', 'escalationNoteNotAllowed', {
            ref: shortRef,
            school: scene.schoolName ?? '-',
          });
        if (text.length === 0) return refuse(locale, 'empty_note', 'escalationEmptyNote');
        await act.note(text);
        return act.done('escalationNoted', { ref: shortRef });
      }
      case 'reassign': {
        const mayReassign =
          (isCounselorFor(actor, scene) && isHolder(actor, scene)) || isLeadFor(actor, scene);
        if (!mayReassign) {
          if (actor.role === 'counselor' && isCounselorFor(actor, scene) && e.counselorId)
            return heldByOther();
          if (actor.role === 'counselor' && isCounselorFor(actor, scene))
            return refuse(locale, 'not_allowed', 'escalationReassignNotAllowed', { ref: shortRef });
          return roleRefusal(actor, scene, shortRef, 'reassign');
        }
        const to = await roster.staffById(action.to);
        if (!to?.active)
          return refuse(locale, 'unknown_assignee', 'escalationUnknownAssignee', { to: action.to });
        if (!isCounselorFor(to, scene))
          return refuse(locale, 'assignee_not_counselor', 'escalationAssigneeNotCounselor', {
            name: to.name,
            school: scene.schoolName ?? '-',
          });
        if (e.counselorId === to.id)
          return act.done('escalationAlreadyWith', { ref: shortRef, name: to.name });
        // The new holder has not acknowledged yet: the case is claimed again.
        await act.change('reassign', { status: 'claimed', counselorId: to.id });
        // A running chain reminds whoever holds the case when it fires; a stopped one starts over.
        if (e.status === 'acknowledged') {
          await restartDeadline(tx, ctx, e.id);
          await act.reread();
        }
        if (!e.counselorId) await tellNavigator(tx, ctx, e.id, 'claimed');
        return act.done('escalationReassigned', { ref: shortRef, name: to.name });
      }
      case 'resolve': {
        const counselorMay = isCounselorFor(actor, scene) && (!e.counselorId || isHolder(actor, scene));
        if (!counselorMay && !isLeadFor(actor, scene)) {
          if (isCounselorFor(actor, scene)) return heldByOther();
          return roleRefusal(actor, scene, shortRef, 'resolve');
        }
        if (!isEscalationOutcome(action.outcome))
          return refuse(locale, 'unknown_outcome', 'escalationUnknownOutcome', {
            outcomes: ESCALATION_OUTCOMES.map((o) => outcomeLabel(locale, o)).join(', '),
          });
        const note = action.note?.trim();
        if (note) await act.note(note.slice(0, ESCALATION_NOTE_MAX));
        await act.change('resolve', {
          status: 'resolved',
          outcome: action.outcome,
          counselorId: e.counselorId ?? (actor.role === 'counselor' ? actor.id : null),
        });
        await tellNavigator(tx, ctx, e.id, 'resolved');
        return act.done('escalationResolvedWith', {
          ref: shortRef,
          outcome: outcomeLabel(locale, action.outcome),
        });
      }
      default:
        return refuse(locale, 'not_allowed', 'escalationRoleCannot', { ref: shortRef });
    }
  });
}

/** The writes of one action, each with its audit entry, and the reply built from the case as it now stands. */
class Acting {
  constructor(
    private readonly tx: DbOrTx,
    private readonly ctx: AppContext,
    private scene: Scene,
    private readonly actor: StaffRow,
  ) {}

  async change(
    action: string,
    set: Partial<Pick<EscalationRow, 'status' | 'counselorId' | 'outcome'>>,
  ): Promise<void> {
    const before = this.scene.e;
    const after = await new NeedRepository(this.tx).updateEscalation(before.id, set, this.ctx.clock());
    await this.audit(
      action,
      { status: before.status, counselorId: before.counselorId, outcome: before.outcome },
      { status: after.status, counselorId: after.counselorId, outcome: after.outcome },
    );
    this.scene = { ...this.scene, e: after };
    await queueAlertUpdates(this.tx, this.ctx, after.id);
  }

  /** Reads the case again after a change made elsewhere (a new due time). */
  async reread(): Promise<void> {
    const e = await new NeedRepository(this.tx).escalation(this.scene.e.id);
    if (e) this.scene = { ...this.scene, e };
  }

  /** The note's words stay in the notes table; the audit entry only names the note. */
  async note(text: string): Promise<void> {
    const note = await new EscalationNoteRepository(this.tx).add({
      id: this.ctx.ids(),
      escalationId: this.scene.e.id,
      authorId: this.actor.id,
      text,
      createdAt: this.ctx.clock(),
    });
    await this.audit('note', null, { noteId: note.id, chars: text.length });
  }

  private audit(action: string, before: unknown, after: unknown): Promise<void> {
    return new AuditRepository(this.tx).append({
      at: this.ctx.clock(),
      actor: `staff:${this.actor.id}`,
      entity: 'escalation',
      entityId: this.scene.e.id,
      action,
      before,
      after,
    });
  }

  async done(key: StaffKey, params: StaffParams): Promise<EscalationActionResult> {
    return {
      ok: true,
      card: await cardOf(this.ctx, this.tx, this.scene),
      message: staffText(this.actor.locale, key, params),
    };
  }
}
