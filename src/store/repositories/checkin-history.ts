import { and, count, eq, sql } from 'drizzle-orm';
import { checkins } from '../schema/index.js';
import { Repository } from '../store.js';

/** One past week of a navigator's check-ins: how many were done out of how many. */
export interface WeekSummary {
  period: string;
  completed: number;
  skipped: number;
  missed: number;
  total: number;
}

/** A navigator's earlier weeks, counted by check-in status. */
export class CheckinHistoryRepository extends Repository {
  /** A navigator's weeks before `period`, newest first. */
  async weeksBefore(navigatorId: string, period: string, limit = 4): Promise<WeekSummary[]> {
    const rows = this.db
      .select({ period: checkins.period, status: checkins.status, n: count() })
      .from(checkins)
      .where(
        and(
          eq(checkins.navigatorId, navigatorId),
          eq(checkins.kind, 'navigator'),
          sql`${checkins.period} < ${period}`,
        ),
      )
      .groupBy(checkins.period, checkins.status)
      .all();
    const byPeriod = new Map<string, WeekSummary>();
    for (const r of rows) {
      const w = byPeriod.get(r.period) ?? { period: r.period, completed: 0, skipped: 0, missed: 0, total: 0 };
      w.total += r.n;
      if (r.status === 'completed' || r.status === 'skipped' || r.status === 'missed') w[r.status] += r.n;
      byPeriod.set(r.period, w);
    }
    return [...byPeriod.values()].sort((a, b) => b.period.localeCompare(a.period)).slice(0, limit);
  }
}
