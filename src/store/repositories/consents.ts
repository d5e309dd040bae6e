import { and, desc, eq, sql } from 'drizzle-orm';
import type { consents } from '../schema/index.js';
import { type Actor, AuditedRepository } from './audit.js';

export type ConsentRow = typeof consents.$inferSelect;
export type ConsentStatus = ConsentRow['status'];
/** The consent in force: the newest record's status, or 'none' when nothing was ever recorded. */
export type CurrentConsent = ConsentStatus | 'none';

/** What a consent record says, e.g. `{ guardianId: 'G1', status: 'granted', source: 'roster_import', locale: 'es' }`. */
export interface ConsentInput {
  guardianId: string;
  status: ConsentStatus;
  /** roster_import, sms_keyword, staff, web_form. */
  source: string;
  locale: string;
  channel?: string;
}

/** Consent to be texted: append-only records, the newest in force; every record is audit-logged. */
export class ConsentRepository extends AuditedRepository {
  /** Appends a consent record and its audit entry; returns the stored row. */
  async record(input: ConsentInput, by: Actor): Promise<ConsentRow> {
    const { consents } = this.t;
    const channel = input.channel ?? 'sms';
    const before = await this.latest(input.guardianId, channel);
    const [row] = await this.db
      .insert(consents)
      .values({
        guardianId: input.guardianId,
        channel,
        status: input.status,
        source: input.source,
        locale: input.locale,
        actor: by.actor,
        recordedAt: by.at,
      })
      .returning();
    await this.audit.append({
      entity: 'consent',
      entityId: input.guardianId,
      action: input.status === 'granted' ? 'grant' : 'revoke',
      before: before ? { status: before.status, source: before.source } : null,
      after: { status: row!.status, source: row!.source, locale: row!.locale, channel },
      ...by,
    });
    return row!;
  }

  private latestQuery() {
    const { consents } = this.t;
    return this.prepared<ConsentRow[]>('consents_latest', () =>
      this.db
        .select()
        .from(consents)
        .where(
          and(
            eq(consents.guardianId, sql.placeholder('guardianId')),
            eq(consents.channel, sql.placeholder('channel')),
          ),
        )
        .orderBy(desc(consents.recordedAt), desc(consents.id))
        .limit(1),
    );
  }

  /** The newest record for a guardian and channel. */
  async latest(guardianId: string, channel = 'sms'): Promise<ConsentRow | undefined> {
    return (await this.latestQuery().execute({ guardianId, channel }))[0];
  }

  /** 'granted', 'revoked' or 'none'. */
  async current(guardianId: string, channel = 'sms'): Promise<CurrentConsent> {
    return (await this.latest(guardianId, channel))?.status ?? 'none';
  }

  /** Every record for a guardian, oldest first. */
  async history(guardianId: string, channel = 'sms'): Promise<ConsentRow[]> {
    const { consents } = this.t;
    return await this.db
      .select()
      .from(consents)
      .where(and(eq(consents.guardianId, guardianId), eq(consents.channel, channel)))
      .orderBy(consents.recordedAt, consents.id);
  }
}
