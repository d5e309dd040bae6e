import { and, count, desc, eq, inArray, like, not, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import { checkins, guardians, outbox, type SmsStatus, staff, studentGuardians } from '../schema/index.js';
import { type Actor, AuditRepository } from './audit.js';
import type { OutboxRow } from './outbox.js';

/** One past week of a navigator's check-ins: how many were done out of how many. */
export interface WeekSummary {
  period: string;
  completed: number;
  skipped: number;
  missed: number;
  total: number;
}

/** How one guardian of a student can be texted: whether the roster has a phone, and the SMS status. */
export interface GuardianReach {
  hasPhone: boolean;
  smsStatus: SmsStatus;
}

/** Outbox purposes of the Slack adapter's own messages (App Home, short replies), as opposed to check-in cards. */
export const SLACK_OWN_PURPOSE_PREFIX = 'slack:';

/** Outbox rows Slack has accepted for an address (a DM channel). */
function acceptedBySlack(address: string): SQL | undefined {
  return and(
    eq(outbox.channel, 'slack'),
    eq(outbox.address, address),
    inArray(outbox.status, ['sent', 'delivered']),
  );
}

/**
 * What the Slack adapter reads and writes beyond the roster: remembered Slack ids, out-of-office dates,
 * the Slack messages already sent to an address (to update a check-in card in place) and past weeks.
 */
export class SlackRepository {
  private readonly audit: AuditRepository;

  constructor(private readonly db: DbOrTx) {
    this.audit = new AuditRepository(db);
  }

  /** Remembers a staff member's Slack user id (found by email), audit-logged. */
  rememberSlackUser(staffId: string, slackUserId: string, by: Actor): void {
    const before = this.db
      .select({ slackUserId: staff.slackUserId })
      .from(staff)
      .where(eq(staff.id, staffId))
      .get();
    if (!before || before.slackUserId === slackUserId) return;
    this.db.update(staff).set({ slackUserId, updatedAt: by.at }).where(eq(staff.id, staffId)).run();
    this.audit.append({
      entity: 'staff',
      entityId: staffId,
      action: 'slack_match',
      before,
      after: { slackUserId },
      ...by,
    });
  }

  /** Sets (or clears, with nulls) a staff member's out-of-office dates, audit-logged. Returns false if unchanged. */
  setOutOfOffice(staffId: string, from: string | null, to: string | null, by: Actor): boolean {
    const before = this.db
      .select({ oooFrom: staff.oooFrom, oooTo: staff.oooTo })
      .from(staff)
      .where(eq(staff.id, staffId))
      .get();
    if (!before || (before.oooFrom === from && before.oooTo === to)) return false;
    this.db
      .update(staff)
      .set({ oooFrom: from, oooTo: to, updatedAt: by.at })
      .where(eq(staff.id, staffId))
      .run();
    this.audit.append({
      entity: 'staff',
      entityId: staffId,
      action: from ? 'ooo_set' : 'ooo_clear',
      before,
      after: { oooFrom: from, oooTo: to },
      ...by,
    });
    return true;
  }

  /**
   * The newest Slack message already accepted by Slack for an address (the card a new question may update).
   * The adapter's own messages do not count: an App Home publish or a short reply leaves the card in place.
   */
  lastSent(address: string): OutboxRow | undefined {
    return this.db
      .select()
      .from(outbox)
      .where(and(acceptedBySlack(address), not(like(outbox.purpose, `${SLACK_OWN_PURPOSE_PREFIX}%`))))
      .orderBy(desc(outbox.sentAt), desc(sql`${outbox}.rowid`))
      .get();
  }

  /** Every message shown in one Slack message (a card updated in place), oldest first. */
  cardRows(address: string, providerMessageId: string): OutboxRow[] {
    return this.db
      .select()
      .from(outbox)
      .where(and(acceptedBySlack(address), eq(outbox.providerMessageId, providerMessageId)))
      .orderBy(outbox.sentAt, sql`${outbox}.rowid`)
      .all();
  }

  /** A navigator's past weeks before `period`, newest first. */
  history(navigatorId: string, period: string, limit = 4): WeekSummary[] {
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

  /** Whether a message of this purpose to this staff member is still waiting in the outbox (not yet claimed). */
  hasPending(staffId: string, purpose: string): boolean {
    const row = this.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          eq(outbox.channel, 'slack'),
          eq(outbox.recipientKind, 'staff'),
          eq(outbox.recipientId, staffId),
          eq(outbox.purpose, purpose),
          eq(outbox.status, 'pending'),
        ),
      )
      .get();
    return row !== undefined;
  }

  /** The guardians of each student (phone present or not, SMS status); students without guardians are absent. */
  guardianReach(studentIds: string[]): Map<string, GuardianReach[]> {
    const out = new Map<string, GuardianReach[]>();
    if (studentIds.length === 0) return out;
    const rows = this.db
      .select({
        studentId: studentGuardians.studentId,
        hasPhone: sql<number>`${guardians.phone} is not null`,
        smsStatus: guardians.smsStatus,
      })
      .from(studentGuardians)
      .innerJoin(guardians, eq(guardians.id, studentGuardians.guardianId))
      .where(inArray(studentGuardians.studentId, studentIds))
      .all();
    for (const r of rows)
      out.set(r.studentId, [
        ...(out.get(r.studentId) ?? []),
        { hasPhone: Boolean(r.hasPhone), smsStatus: r.smsStatus },
      ]);
    return out;
  }
}
