import type { DbOrTx } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.js';
import type { NeedRow } from '../store/repositories/needs.js';
import { ReferralRepository, type ReferralRow } from '../store/repositories/referrals.js';
import type { ReferralStatus } from '../store/schema/index.js';

/** A short reference staff can read out and type: the first 8 characters of the id, upper-cased. */
export function referralRef(id: string): string {
  return id.replace(/-/g, '').slice(0, 8).toUpperCase();
}

/** The order of an open referral's steps; a referral only moves forward, or ends as declined. */
export const REFERRAL_STEPS: readonly ReferralStatus[] = ['referred', 'connected', 'receiving', 'resolved'];

/**
 * Whether `to` may follow `from`: forward along referred → connected → receiving → resolved (a step may be
 * skipped when the navigator learns of it late), or to declined from any open status. Resolved and declined
 * are final. Example: `canMove('connected', 'referred')` → false.
 */
export function canMove(from: ReferralStatus, to: ReferralStatus): boolean {
  if (from === 'resolved' || from === 'declined') return false;
  if (to === 'declined') return true;
  return REFERRAL_STEPS.indexOf(to) > REFERRAL_STEPS.indexOf(from);
}

/**
 * The need's status follows its referrals: resolved once a referral is resolved; otherwise the furthest open
 * referral's status (referred, connected, receiving); back to identified when every referral was declined
 * (the need is still there, and waits for another referral). The service recorded on the need is that
 * referral's. Audit-logged when it changes.
 */
export async function followNeed(tx: DbOrTx, needId: string, actor: string, at: number): Promise<void> {
  const repo = new ReferralRepository(tx);
  const need = await repo.needByRef(needId);
  if (!need) return;
  const all = await repo.referralsOfNeed(need.id);
  const resolved = all.find((r) => r.status === 'resolved');
  const furthest = all
    .filter((r) => r.status !== 'resolved' && r.status !== 'declined')
    .reduce<ReferralRow | undefined>(
      (best, r) =>
        !best || REFERRAL_STEPS.indexOf(r.status) > REFERRAL_STEPS.indexOf(best.status) ? r : best,
      undefined,
    );
  const lead = resolved ?? furthest;
  const status: NeedRow['status'] = lead ? lead.status : 'identified';
  const serviceId = lead?.serviceId ?? null;
  if (status === need.status && serviceId === need.referralServiceId) return;
  await repo.setNeedReferral(need.id, status, serviceId, at);
  await new AuditRepository(tx).append({
    at,
    actor,
    entity: 'need',
    entityId: need.id,
    action: 'referral',
    before: { status: need.status, referralServiceId: need.referralServiceId },
    after: { status, referralServiceId: serviceId },
  });
}

/**
 * Moves a referral to `to` and its need with it, audit-logged as `actor` (a staff member, or the family
 * answering its follow-up text). The caller checked `canMove`.
 */
export async function moveReferral(
  tx: DbOrTx,
  referral: ReferralRow,
  to: ReferralStatus,
  by: { actor: string; who: string; at: number; reason?: string },
): Promise<ReferralRow> {
  const repo = new ReferralRepository(tx);
  const moved = await repo.update(referral.id, {
    status: to,
    declineReason: to === 'declined' ? (by.reason ?? null) : referral.declineReason,
    updatedBy: by.who,
    updatedAt: by.at,
  });
  await new AuditRepository(tx).append({
    at: by.at,
    actor: by.actor,
    entity: 'referral',
    entityId: referral.id,
    action: 'status',
    before: { status: referral.status },
    // The reason stays on the referral (kept as long as the case): the audit log, kept for years, says only
    // that one was given, as for escalation notes.
    after: { status: to, ...(to === 'declined' ? { reasonGiven: true } : {}) },
  });
  await followNeed(tx, referral.needId, by.actor, by.at);
  return moved;
}
