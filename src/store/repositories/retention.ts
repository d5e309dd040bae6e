import { and, count, inArray, isNotNull, lt, ne } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import { auditLog, familyMessages, familyTexts, outbox } from '../schema/index.js';
import { Repository } from '../store.js';

/** What a body reads once the retention policy has removed it. */
export const REDACTED = '[redacted]';

/** Rows the retention policy touches (or would touch), by what they are. */
export interface RetentionCounts {
  outboxBodies: number;
  familyTexts: number;
  familyMessages: number;
  auditEntries: number;
}

/** Message bodies older than a cut-off, and audit entries older than another, for the retention policy. */
export class RetentionRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  /** How many rows `apply` would change: bodies written before `bodiesBefore`, audit entries before `auditBefore`. */
  async count(bodiesBefore: number, auditBefore: number): Promise<RetentionCounts> {
    const n = (rows: Array<{ n: number }>) => rows[0]?.n ?? 0;
    return {
      outboxBodies: n(this.db.select({ n: count() }).from(outbox).where(this.outboxDue(bodiesBefore)).all()),
      familyTexts: n(
        this.db
          .select({ n: count() })
          .from(familyTexts)
          .where(and(lt(familyTexts.receivedAt, bodiesBefore), ne(familyTexts.body, REDACTED)))
          .all(),
      ),
      familyMessages: n(
        this.db
          .select({ n: count() })
          .from(familyMessages)
          .where(and(lt(familyMessages.receivedAt, bodiesBefore), ne(familyMessages.body, REDACTED)))
          .all(),
      ),
      auditEntries: n(
        this.db.select({ n: count() }).from(auditLog).where(lt(auditLog.at, auditBefore)).all(),
      ),
    };
  }

  /** Redacts the bodies and deletes the audit entries `count` names; returns what it changed. */
  async apply(bodiesBefore: number, auditBefore: number): Promise<RetentionCounts> {
    const outboxBodies = this.db.update(outbox).set({ body: null }).where(this.outboxDue(bodiesBefore)).run();
    const texts = this.db
      .update(familyTexts)
      .set({ body: REDACTED })
      .where(and(lt(familyTexts.receivedAt, bodiesBefore), ne(familyTexts.body, REDACTED)))
      .run();
    const messages = this.db
      .update(familyMessages)
      .set({ body: REDACTED })
      .where(and(lt(familyMessages.receivedAt, bodiesBefore), ne(familyMessages.body, REDACTED)))
      .run();
    const audit = this.db.delete(auditLog).where(lt(auditLog.at, auditBefore)).run();
    return {
      outboxBodies: outboxBodies.changes,
      familyTexts: texts.changes,
      familyMessages: messages.changes,
      auditEntries: audit.changes,
    };
  }

  /** Outbox rows that are finished (never one still to be sent) and old, with a body left. */
  private outboxDue(before: number) {
    return and(
      lt(outbox.createdAt, before),
      isNotNull(outbox.body),
      inArray(outbox.status, ['sent', 'delivered', 'failed', 'dead', 'cancelled']),
    );
  }
}
