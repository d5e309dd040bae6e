-- PostgreSQL has no rowid: the tables whose rows are listed in insertion order (where timestamps tie) get an
-- identity column of that name, outside the drizzle schema so rows read the same on both engines.
ALTER TABLE "outbox" ADD COLUMN "rowid" bigint GENERATED ALWAYS AS IDENTITY;--> statement-breakpoint
ALTER TABLE "student_guardians" ADD COLUMN "rowid" bigint GENERATED ALWAYS AS IDENTITY;
