import { and, eq, sql } from 'drizzle-orm';
import { CONNECT_STEP, wasAttempt } from '../../vocabulary.js';
import { Repository } from '../store.js';

/** One past week of a navigator's check-ins: how many were done out of how many. */
export interface WeekSummary {
  period: string;
  /** Completed and the student was met. */
  completed: number;
  /** Completed as "Couldn't reach them" or "absent": tried, not counted as done. */
  attempted: number;
  skipped: number;
  missed: number;
  total: number;
}

/** A navigator's earlier weeks, counted by check-in status. */
export class CheckinHistoryRepository extends Repository {
  /** A navigator's weeks before `period`, newest first. */
  async weeksBefore(navigatorId: string, period: string, limit = 4): Promise<WeekSummary[]> {
    const { answers, checkins } = this.t;
    const rows = await this.db
      .select({ period: checkins.period, status: checkins.status, connect: answers.value })
      .from(checkins)
      .leftJoin(answers, and(eq(answers.checkinId, checkins.id), eq(answers.stepId, CONNECT_STEP)))
      .where(
        and(
          eq(checkins.navigatorId, navigatorId),
          eq(checkins.kind, 'navigator'),
          sql`${checkins.period} < ${period}`,
        ),
      );
    const byPeriod = new Map<string, WeekSummary>();
    for (const r of rows) {
      const w = byPeriod.get(r.period) ?? {
        period: r.period,
        completed: 0,
        attempted: 0,
        skipped: 0,
        missed: 0,
        total: 0,
      };
      w.total += 1;
      if (r.status === 'completed') w[wasAttempt(r.connect) ? 'attempted' : 'completed'] += 1;
      else if (r.status === 'skipped' || r.status === 'missed') w[r.status] += 1;
      byPeriod.set(r.period, w);
    }
    return [...byPeriod.values()].sort((a, b) => b.period.localeCompare(a.period)).slice(0, limit);
  }
}
