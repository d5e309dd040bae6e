import type { AppContext } from '../context.js';
import { staffText } from '../i18n/staff.js';
import type { DbOrTx } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.js';
import { CatalogRepository, type ServiceRow } from '../store/repositories/catalog.js';
import type { NeedRow } from '../store/repositories/needs.js';
import {
  type ReferralListing,
  ReferralRepository,
  type ReferralRow,
} from '../store/repositories/referrals.js';
import { RosterRepository, type StaffRow, type StudentRow } from '../store/repositories/roster.js';
import { REFERRAL_STATUSES, type ReferralStatus } from '../store/schema/index.js';
import { type FollowUpSender, sendReferralFollowUp } from './referral-follow-up.js';
import { canMove, followNeed, moveReferral, referralRef } from './referral-lifecycle.js';

export { referralRef } from './referral-lifecycle.js';

// A need linked to a service from the catalog, followed until the family gets help: who may make or move a
// referral, which moves are allowed, and how the need's own status follows its referrals. Every channel (the
// command line today, chat and the simulator next) calls these functions, so every one refuses the same way.

/** Why a referral was not made or moved; the result's `message` says it in the actor's language. */
export type ReferralRefusal =
  | 'unknown_staff'
  | 'role_not_allowed'
  | 'not_on_caseload'
  | 'other_school'
  | 'need_not_found'
  | 'need_closed'
  | 'service_not_found'
  | 'service_inactive'
  | 'service_other_school'
  | 'already_open'
  | 'not_found'
  | 'unknown_status'
  | 'invalid_transition'
  | 'reason_required';

export type ReferralResult =
  | { ok: true; referral: ReferralRow; message: string; followUps?: number }
  | { ok: false; refusal: ReferralRefusal; message: string };

/** The roles that make and move referrals. */
const REFERRING_ROLES: readonly StaffRow['role'][] = ['navigator', 'counselor', 'lead_navigator'];

const statusWord = (locale: string, status: ReferralStatus): string =>
  staffText(locale, `referralStatus_${status}`);

/**
 * Who may act on a student's referrals, by the rule the caseload and escalations follow: a navigator for the
 * students on their caseload; a counselor or lead navigator for students of their school, or of every school
 * when they work district-wide (no school). Returns the refusal, or null when allowed.
 */
async function refusalFor(
  db: DbOrTx,
  staff: StaffRow,
  student: StudentRow,
): Promise<'role_not_allowed' | 'not_on_caseload' | 'other_school' | null> {
  if (!REFERRING_ROLES.includes(staff.role)) return 'role_not_allowed';
  if (staff.role === 'navigator')
    return (await new RosterRepository(db).navigatorOf(student.id)) === staff.id ? null : 'not_on_caseload';
  return staff.schoolId === null || staff.schoolId === student.schoolId ? null : 'other_school';
}

/** Options of the lifecycle: how the family's follow-up text is queued (the SMS service, with texts). */
export interface ReferralOptions {
  followUp?: FollowUpSender;
}

/**
 * Makes and moves referrals. Example:
 * `await new ReferralService(ctx).create('nav-1', needId, 'northside-food-pantry')`, then
 * `update('nav-1', ref, 'connected')` queues the family's one follow-up text.
 */
export class ReferralService {
  constructor(
    private readonly ctx: AppContext,
    private readonly options: ReferralOptions = {},
  ) {}

  /** Links a need to a catalog service: a new referral 'referred', the need 'referred' with it. */
  create(staffId: string, needRef: string, serviceId: string): Promise<ReferralResult> {
    return this.ctx.db.transaction(async (tx) => {
      const roster = new RosterRepository(tx);
      const repo = new ReferralRepository(tx);
      const staff = await roster.staffById(staffId);
      if (!staff?.active) return refuse(this.ctx.config.defaultLocale, 'unknown_staff', { staff: staffId });
      const locale = staff.locale;
      const need = await repo.needByRef(needRef);
      const student = need ? await roster.student(need.studentId) : undefined;
      if (!need || !student) return refuse(locale, 'need_not_found', { ref: needRef });
      const denied = await refusalFor(tx, staff, student);
      if (denied) return refuse(locale, denied);
      if (need.status === 'resolved' || need.status === 'declined')
        return refuse(locale, 'need_closed', { status: needStatusWord(locale, need.status) });
      const service = await new CatalogRepository(tx).service(serviceId);
      if (!service) return refuse(locale, 'service_not_found', { service: serviceId });
      if (!service.active) return refuse(locale, 'service_inactive', { service: service.name });
      if (service.schoolId !== null && service.schoolId !== student.schoolId)
        return refuse(locale, 'service_other_school', { service: service.name });
      const open = await repo.openReferral(need.id, service.id);
      if (open) return refuse(locale, 'already_open', { service: service.name, ref: referralRef(open.id) });

      const at = this.ctx.clock();
      const actor = `staff:${staff.id}`;
      const referral = await repo.insert({
        id: this.ctx.ids(),
        needId: need.id,
        serviceId: service.id,
        status: 'referred',
        referredBy: staff.id,
        updatedBy: staff.id,
        createdAt: at,
      });
      await new AuditRepository(tx).append({
        at,
        actor,
        entity: 'referral',
        entityId: referral.id,
        action: 'create',
        before: null,
        after: { needId: need.id, serviceId: service.id, status: 'referred' },
      });
      await followNeed(tx, need.id, actor, at);
      return {
        ok: true,
        referral,
        message: staffText(locale, 'referralCreated', {
          ref: referralRef(referral.id),
          service: service.name,
        }),
      };
    });
  }

  /**
   * Moves a referral on. Declined needs a reason; a move backwards or out of resolved/declined is refused.
   * On 'connected' the family's guardians who may be texted get one follow-up text (see
   * `sendReferralFollowUp`), in the same transaction.
   */
  update(staffId: string, ref: string, status: string, reason?: string): Promise<ReferralResult> {
    return this.ctx.db.transaction(async (tx) => {
      const roster = new RosterRepository(tx);
      const repo = new ReferralRepository(tx);
      const staff = await roster.staffById(staffId);
      if (!staff?.active) return refuse(this.ctx.config.defaultLocale, 'unknown_staff', { staff: staffId });
      const locale = staff.locale;
      const referral = await repo.referralByRef(ref);
      const need = referral ? await repo.needByRef(referral.needId) : undefined;
      const student = need ? await roster.student(need.studentId) : undefined;
      if (!referral || !need || !student) return refuse(locale, 'not_found', { ref });
      const denied = await refusalFor(tx, staff, student);
      if (denied) return refuse(locale, denied);
      if (!(REFERRAL_STATUSES as readonly string[]).includes(status))
        return refuse(locale, 'unknown_status', { status });
      const to = status as ReferralStatus;
      if (!canMove(referral.status, to))
        return refuse(locale, 'invalid_transition', {
          from: statusWord(locale, referral.status),
          to: statusWord(locale, to),
        });
      const why = reason?.trim() ?? '';
      if (to === 'declined' && why === '') return refuse(locale, 'reason_required');

      const at = this.ctx.clock();
      const actor = `staff:${staff.id}`;
      let moved = await moveReferral(tx, referral, to, {
        actor,
        who: staff.id,
        at,
        ...(to === 'declined' ? { reason: why } : {}),
      });
      let followUps = 0;
      if (to === 'connected') {
        const service = (await new CatalogRepository(tx).service(referral.serviceId)) as ServiceRow;
        followUps = await sendReferralFollowUp(tx, this.ctx, this.options.followUp, {
          referral: moved,
          area: need.area,
          student,
          service,
        });
        if (followUps > 0) moved = (await repo.referral(referral.id))!;
      }
      return {
        ok: true,
        referral: moved,
        followUps,
        message: staffText(locale, 'referralUpdated', {
          ref: referralRef(referral.id),
          status: statusWord(locale, to),
        }),
      };
    });
  }

  /** Referrals with their student, area and service, newest change first. */
  list(filter: { status?: ReferralStatus; schoolId?: string } = {}): Promise<ReferralListing[]> {
    return new ReferralRepository(this.ctx.db).list(filter);
  }
}

const needStatusWord = (locale: string, status: NeedRow['status']) =>
  staffText(locale, `referralStatus_${status}`);

const REFUSAL_KEYS = {
  unknown_staff: 'referralUnknownStaff',
  role_not_allowed: 'referralRoleNotAllowed',
  not_on_caseload: 'referralNotOnCaseload',
  other_school: 'referralOtherSchool',
  need_not_found: 'referralNeedNotFound',
  need_closed: 'referralNeedClosed',
  service_not_found: 'referralServiceNotFound',
  service_inactive: 'referralServiceInactive',
  service_other_school: 'referralServiceOtherSchool',
  already_open: 'referralAlreadyOpen',
  not_found: 'referralNotFound',
  unknown_status: 'referralUnknownStatus',
  invalid_transition: 'referralInvalidTransition',
  reason_required: 'referralReasonRequired',
} as const satisfies Record<ReferralRefusal, string>;

function refuse(
  locale: string,
  refusal: ReferralRefusal,
  params: Record<string, string> = {},
): { ok: false; refusal: ReferralRefusal; message: string } {
  return { ok: false, refusal, message: staffText(locale, REFUSAL_KEYS[refusal], params) };
}
