import type { AppContext } from '../context.js';
import type { TimerHandlers } from '../jobs/timer-runner.js';
import { type RetentionCounts, RetentionRepository } from '../store/repositories/retention.js';
import { TimerRepository } from '../store/repositories/timers.js';

const DAY = 86_400_000;

/** The timer kind of the nightly retention run; its handler runs the policy and sets the next night's timer. */
export const RETENTION_RUN = 'retention_run';

/** What one run did (or, dry, would do), with the cut-offs it used. */
export interface RetentionReport {
  dryRun: boolean;
  bodiesBefore: number;
  auditBefore: number;
  counts: RetentionCounts;
}

/**
 * The district's retention policy: the words of messages (texts families sent, texts and notices we sent)
 * are redacted `retention.messageDays` after they were written, in the body and in the payload's parameters
 * (`KEPT_PARAMS` says which parameters only name the message and stay); audit entries are deleted after
 * `retention.auditYears`. Staff's own words on a closed case (an escalation's note and the notes added to it,
 * a referral's decline reason) are redacted after the same cut-off, counted from when the case was closed; an
 * open case keeps them. The rest of needs, escalations and check-in answers is the student's education
 * record and is kept (the district's records schedule governs it). A message still waiting to be sent is
 * never touched. Idempotent: a second run changes nothing.
 */
export async function runRetention(
  ctx: AppContext,
  options: { dryRun?: boolean } = {},
): Promise<RetentionReport> {
  const now = ctx.clock();
  const { messageDays, auditYears } = ctx.config.retention;
  const bodiesBefore = now - messageDays * DAY;
  const auditBefore = now - Math.round(auditYears * 365.25 * DAY);
  const dryRun = options.dryRun ?? false;
  const counts = dryRun
    ? await new RetentionRepository(ctx.db).count(bodiesBefore, auditBefore)
    : await ctx.db.transaction((tx) => new RetentionRepository(tx).apply(bodiesBefore, auditBefore));
  ctx.logger.info({ dryRun, ...counts }, 'retention: policy applied');
  return { dryRun, bodiesBefore, auditBefore, counts };
}

/** Sets the retention run for the next 03:00 UTC (idempotent per night). */
export async function scheduleRetention(ctx: AppContext): Promise<void> {
  const now = ctx.clock();
  const night = Math.floor(now / DAY) * DAY + 3 * 3_600_000;
  const fireAt = night > now ? night : night + DAY;
  await TimerRepository.schedule(ctx.db, {
    id: ctx.ids(),
    kind: RETENTION_RUN,
    uniqueKey: `${RETENTION_RUN}|${new Date(fireAt).toISOString().slice(0, 10)}`,
    fireAt,
    createdAt: now,
  });
}

/** The retention kind for `timerKinds(...)`: runs the policy, then sets the next night's run. */
export function retentionTimerHandlers(): TimerHandlers {
  return {
    [RETENTION_RUN]: async (_timer, ctx) => {
      const report = await runRetention(ctx);
      await scheduleRetention(ctx);
      const c = report.counts;
      const redacted =
        c.outboxBodies + c.familyTexts + c.familyMessages + c.escalationNotes + c.referralReasons;
      return `redacted:${redacted},audit_deleted:${c.auditEntries}`;
    },
  };
}
