import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The service instances sharing this database, each writing its heartbeat: the relay of each sends at its share
 * of the platforms' rates (the configured rate divided by the instances alive), so N instances together stay
 * within the rate one would use.
 */
export const serviceInstances = sqliteTable(
  'service_instances',
  {
    id: text('id').primaryKey(),
    startedAt: integer('started_at').notNull(),
    seenAt: integer('seen_at').notNull(),
  },
  (t) => [index('service_instances_seen_idx').on(t.seenAt)],
);

/**
 * Periodic jobs that must run once per period whichever instance gets there first (the hourly planning): the
 * first instance to write the (job, period) row runs it; the others find the key taken and skip.
 */
export const jobRuns = sqliteTable(
  'job_runs',
  {
    job: text('job').notNull(),
    /** The period the run is for, e.g. '2026-11-30T08' for an hourly job. */
    period: text('period').notNull(),
    instanceId: text('instance_id').notNull(),
    startedAt: integer('started_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.job, t.period] })],
);
