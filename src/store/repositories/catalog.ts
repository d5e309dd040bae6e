import { asc, eq } from 'drizzle-orm';
import type { NeedArea } from '../../vocabulary.js';
import type { DbOrTx } from '../db.js';
import type { services } from '../schema/index.js';
import { type Actor, AuditedRepository } from './audit.js';

export type ServiceRow = typeof services.$inferSelect;

/** A service as the catalog file describes it; the id is its natural key. */
export type ServiceInput = Pick<
  ServiceRow,
  'id' | 'name' | 'needAreas' | 'contact' | 'languages' | 'hours' | 'notes' | 'schoolId' | 'active'
>;

/** What an upsert did to one service. */
export type ServiceChange = 'created' | 'updated' | 'unchanged';

// Lists are compared by value: the same areas in the same order are no change.
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The service catalog: services families can be referred to, district-wide or for one school. */
export class CatalogRepository extends AuditedRepository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  async service(id: string): Promise<ServiceRow | undefined> {
    const { services } = this.t;
    return (await this.db.select().from(services).where(eq(services.id, id)))[0];
  }

  /**
   * Creates or updates a service by its natural key, audit-logging what changed; an identical row is left
   * alone (no write, no audit entry), which is what makes a re-import of the same file a no-op.
   */
  async upsertService(input: ServiceInput, by: Actor): Promise<ServiceChange> {
    const { services } = this.t;
    const existing = await this.service(input.id);
    if (!existing) {
      await this.db.insert(services).values({ ...input, createdAt: by.at, updatedAt: by.at });
      await this.audit.append({
        entity: 'service',
        entityId: input.id,
        action: 'create',
        before: null,
        after: input,
        ...by,
      });
      return 'created';
    }
    const keys = (Object.keys(input) as (keyof ServiceInput)[]).filter((k) => !same(input[k], existing[k]));
    if (keys.length === 0) return 'unchanged';
    const set = Object.fromEntries(keys.map((k) => [k, input[k]])) as Partial<ServiceInput>;
    await this.db
      .update(services)
      .set({ ...set, updatedAt: by.at })
      .where(eq(services.id, input.id));
    await this.audit.append({
      entity: 'service',
      entityId: input.id,
      action: 'update',
      before: Object.fromEntries(keys.map((k) => [k, existing[k]])),
      after: set,
      ...by,
    });
    return 'updated';
  }

  /**
   * Services by name. `schoolId` keeps those a student of that school may use (the school's own and the
   * district's); `area` those that help with it; inactive ones only when asked.
   */
  async list(
    filter: { schoolId?: string; area?: NeedArea; includeInactive?: boolean } = {},
  ): Promise<ServiceRow[]> {
    const { services } = this.t;
    const rows = await this.db.select().from(services).orderBy(asc(services.name), asc(services.id));
    return rows.filter(
      (s) =>
        (filter.includeInactive || s.active) &&
        (filter.schoolId === undefined || s.schoolId === null || s.schoolId === filter.schoolId) &&
        (filter.area === undefined || s.needAreas.includes(filter.area)),
    );
  }
}
