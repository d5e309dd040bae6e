import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import type { guardians, outbox } from '../schema/index.js';
import { Repository } from '../store.js';

/** Read-only views for the local simulator page. */
export class SimulatorRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  /** Every guardian, by name, for the phone picker. */
  async guardians(): Promise<(typeof guardians.$inferSelect)[]> {
    const { guardians } = this.t;
    return await this.db.select().from(guardians).orderBy(asc(guardians.name));
  }

  /** Messages queued or sent to one participant, oldest first. */
  async messagesTo(recipientId: string, limit = 200): Promise<(typeof outbox.$inferSelect)[]> {
    const { outbox } = this.t;
    return await this.db
      .select()
      .from(outbox)
      .where(eq(outbox.recipientId, recipientId))
      .orderBy(asc(outbox.createdAt), this.dialect.insertionOrder(outbox))
      .limit(limit);
  }

  /**
   * Makes held messages due now, as urgent so quiet hours let them through (the relay audit-logs each
   * bypass). Local mode only: a person trying the simulator at night should not wait until 08:00.
   */
  async releaseHeld(now: number): Promise<number> {
    const { outbox } = this.t;
    return this.dialect.affected(
      await this.db
        .update(outbox)
        .set({ notBefore: now, urgent: true, updatedAt: now })
        .where(and(eq(outbox.status, 'pending'), inArray(outbox.channel, ['local', 'sms']))),
    );
  }

  async checkinCounts(period: string) {
    const { checkins, staff } = this.t;
    return await this.db
      .select({ navigatorId: checkins.navigatorId, name: staff.name, status: checkins.status })
      .from(checkins)
      .innerJoin(staff, eq(staff.id, checkins.navigatorId))
      .where(and(eq(checkins.period, period), eq(checkins.kind, 'navigator')));
  }

  async latestNeeds(limit = 50) {
    const { needs, students } = this.t;
    return await this.db
      .select({
        firstName: students.firstName,
        lastName: students.lastName,
        area: needs.area,
        severity: needs.severity,
        source: needs.source,
        status: needs.status,
        timesReported: needs.timesReported,
      })
      .from(needs)
      .innerJoin(students, eq(students.id, needs.studentId))
      .orderBy(desc(needs.updatedAt))
      .limit(limit);
  }

  async latestEscalations(limit = 20) {
    const { escalations, students } = this.t;
    return await this.db
      .select({
        firstName: students.firstName,
        lastName: students.lastName,
        trigger: escalations.trigger,
        urgent: escalations.urgent,
        status: escalations.status,
      })
      .from(escalations)
      .leftJoin(students, eq(students.id, escalations.studentId))
      .orderBy(desc(escalations.createdAt))
      .limit(limit);
  }

  async latestAnswers(limit = 15) {
    const { answers, students } = this.t;
    return await this.db
      .select({
        firstName: students.firstName,
        questionText: answers.questionText,
        value: answers.value,
        rawText: answers.rawText,
      })
      .from(answers)
      .leftJoin(students, eq(students.id, answers.studentId))
      .orderBy(desc(answers.answeredAt))
      .limit(limit);
  }
}
