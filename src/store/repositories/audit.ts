import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import type { auditLog } from '../schema/index.js';
import { Repository } from '../store.js';

export type AuditRow = typeof auditLog.$inferSelect;

/** Who made a change and when; every write to a record that matters to families carries one. */
export interface Actor {
  /** 'roster_import', 'cli:jdoe', 'slack:U123', 'system'. */
  actor: string;
  /** Milliseconds since the epoch, from the injected clock. */
  at: number;
}

/** One audit entry, e.g. `{ entity: 'assignment', entityId: 'S1001', action: 'move', before: {navigatorId: 'nav-1'}, ... }`. */
export interface AuditEntry extends Actor {
  entity: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
}

/** The append-only audit log: who changed what, when, from what to what. */
export class AuditRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  // Compiled once per engine: a roster import appends tens of thousands of entries.
  private insert() {
    const { auditLog } = this.t;
    const p = (name: string) => sql.placeholder(name);
    return this.prepared<unknown>('audit_append', () =>
      this.db.insert(auditLog).values({
        at: p('at'),
        actor: p('actor'),
        entity: p('entity'),
        entityId: p('entityId'),
        action: p('action'),
        before: p('before'),
        after: p('after'),
      }),
    );
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.insert().execute({
      at: entry.at,
      actor: entry.actor,
      entity: entry.entity,
      entityId: entry.entityId,
      action: entry.action,
      before: entry.before ?? null,
      after: entry.after ?? null,
    });
  }

  /** Entries for one record, oldest first. */
  async listFor(entity: string, entityId: string): Promise<AuditRow[]> {
    const { auditLog } = this.t;
    return await this.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, entity), eq(auditLog.entityId, entityId)))
      .orderBy(asc(auditLog.at), asc(auditLog.id));
  }

  /** Entries for one kind of record ('guardian', 'consent', ...), oldest first. */
  async listByEntity(entity: string): Promise<AuditRow[]> {
    const { auditLog } = this.t;
    return await this.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entity, entity))
      .orderBy(asc(auditLog.at), asc(auditLog.id));
  }

  /** How many entries the log holds (tests and reports use it to prove nothing was written). */
  async count(): Promise<number> {
    const { auditLog } = this.t;
    return (await this.db.select({ n: count() }).from(auditLog))[0]?.n ?? 0;
  }
}

/** A repository whose every change writes its audit entry in the same transaction as the change itself. */
export abstract class AuditedRepository extends Repository {
  protected readonly audit: AuditRepository;

  constructor(handle: DbOrTx) {
    super(handle);
    this.audit = new AuditRepository(handle);
  }
}
