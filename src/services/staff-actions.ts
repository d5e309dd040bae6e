import type { AppContext } from '../context.js';
import { AuditRepository } from '../store/repositories/audit.js';
import { NeedRepository } from '../store/repositories/needs.js';
import { RosterRepository } from '../store/repositories/roster.js';

// What counselors and lead navigators do to an escalation, from any channel (chat, simulator, command line):
// the rules of who may act and what a repeated action means live here, so every channel refuses the same way.

/** Why a claim or resolve did not happen; returned, not thrown. */
export type EscalationProblem =
  | 'escalation:not_found'
  | 'escalation:unknown_staff'
  | 'escalation:already_resolved';

/**
 * A counselor takes an escalation (`claimed`) or closes it (`resolved`), by id or short reference. Audit-logged.
 * Example: `updateEscalation(ctx, 'A1B2C3D4', 'counselor-1', 'claimed')`.
 */
export function updateEscalation(
  ctx: AppContext,
  ref: string,
  staffId: string,
  status: 'claimed' | 'resolved',
): Promise<{ ok: true; id: string } | { ok: false; problem: EscalationProblem }> {
  return ctx.db.transaction(async (tx) => {
    const needs = new NeedRepository(tx);
    const e = await needs.escalationByRef(ref);
    if (!e) return { ok: false, problem: 'escalation:not_found' } as const;
    const staff = await new RosterRepository(tx).staffById(staffId);
    if (!staff) return { ok: false, problem: 'escalation:unknown_staff' } as const;
    if (e.status === 'resolved') return { ok: false, problem: 'escalation:already_resolved' } as const;
    const counselorId = status === 'claimed' || !e.counselorId ? staff.id : e.counselorId;
    await needs.setEscalationStatus(e.id, status, counselorId, ctx.clock());
    await new AuditRepository(tx).append({
      at: ctx.clock(),
      actor: `staff:${staff.id}`,
      entity: 'escalation',
      entityId: e.id,
      action: status === 'claimed' ? 'claim' : 'resolve',
      before: { status: e.status, counselorId: e.counselorId },
      after: { status, counselorId },
    });
    return { ok: true, id: e.id } as const;
  });
}
