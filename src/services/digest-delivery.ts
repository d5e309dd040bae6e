import type { AppContext } from '../context.js';
import type { TimerHandlers } from '../jobs/timer-runner.js';
import { DIGEST_TIMER_KIND } from '../jobs/weekly-plan.js';
import type { MessagePayload } from '../messages.js';
import { OutboxRepository, outboxKey } from '../store/repositories/outbox.js';
import { RosterRepository } from '../store/repositories/roster.js';
import { computeDigest } from './digest.js';
import type { Digest } from './digest-figures.js';
import { defaultStaffRoute, type StaffRoute } from './staff-routing.js';

/** The outbox purpose of a lead navigator's weekly digest. */
export const DIGEST_PURPOSE = 'digest:weekly';

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 100)}%`);
const signed = (n: number | null) => (n === null ? '–' : n > 0 ? `+${n}` : String(n));

/**
 * The digest as a chat message: counts only, never a student's or a family's name (minimum necessary).
 * Example: `{ key: 'digest.weekly', params: { school: 'Riverside', week: '2026-W48', completed: 40, ... } }`.
 */
export function digestMessage(digest: Digest): MessagePayload {
  return {
    key: 'digest.weekly',
    params: {
      school: digest.schools.map((s) => s.name).join(', '),
      week: digest.week,
      completed: digest.completion.completed,
      expected: digest.completion.expected,
      rate: percent(digest.completion.rate),
      change: signed(digest.change.completionRate),
      late: digest.navigators.filter((n) => n.late).length,
      navigators: digest.navigators.length,
      texted: digest.families.texted,
      replied: digest.families.replied,
      silent: digest.families.silent.total,
      silentWeeks: digest.families.silent.weeks,
      newNeeds: digest.needs.newThisWeek.total,
      waiting: digest.needs.waitingWithoutReferral.total,
      waitingDays: digest.needs.waitingWithoutReferral.olderThanDays,
      referralsWaiting: digest.referrals.waiting.total,
      referralsNotYet: digest.referrals.familySaidNotYet,
      open: digest.escalations.open,
      overdue: digest.escalations.overdue,
    },
  };
}

/**
 * Queues a school's digest of a week to each of its active lead navigators, in one transaction. Idempotent
 * per lead, school and week (the outbox key): a second run queues nothing. Returns the timer outcome:
 * 'sent:<newly queued>' or 'skipped:<why>'.
 */
export async function sendSchoolDigest(
  ctx: AppContext,
  schoolId: string,
  week: string,
  route: StaffRoute = defaultStaffRoute(ctx.config),
): Promise<string> {
  const result = await computeDigest(ctx, { schoolId }, week);
  if (!result.ok) return `skipped:${result.problem.replace('digest:', '')}`;
  const leads = (await new RosterRepository(ctx.db).staffList(['lead_navigator'])).filter(
    (s) => s.active && s.schoolId === schoolId,
  );
  if (leads.length === 0) return 'skipped:no_lead_navigator';
  const payload = digestMessage(result.digest);
  let queued = 0;
  let reachable = 0;
  await ctx.db.transaction(async (tx) => {
    for (const lead of leads) {
      const to = route(lead);
      if (!to) continue;
      reachable += 1;
      const id = await OutboxRepository.enqueue(tx, {
        id: ctx.ids(),
        idempotencyKey: outboxKey({
          purpose: DIGEST_PURPOSE,
          recipient: `staff:${lead.id}`,
          period: week,
          step: schoolId,
        }),
        channel: to.channel,
        recipientKind: 'staff',
        recipientId: lead.id,
        address: to.address,
        purpose: DIGEST_PURPOSE,
        locale: lead.locale,
        payload,
        createdAt: ctx.clock(),
      });
      if (id) queued += 1;
    }
  });
  if (reachable === 0) {
    ctx.logger.warn({ schoolId, week }, 'digest: no lead navigator of the school can be reached in chat');
    return 'skipped:no_channel';
  }
  return `sent:${queued}`;
}

/** The digest timer kind, registered with the timer runner beside the check-in and escalation kinds. */
export function digestTimerHandlers(route?: StaffRoute): TimerHandlers {
  return {
    [DIGEST_TIMER_KIND]: (timer, ctx) => {
      const p = (timer.payload ?? {}) as { schoolId?: string; period?: string };
      return p.schoolId && p.period
        ? sendSchoolDigest(ctx, p.schoolId, p.period, route ?? defaultStaffRoute(ctx.config))
        : 'skipped:no_school';
    },
  };
}
