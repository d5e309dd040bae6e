CREATE TABLE `job_runs` (
	`job` text NOT NULL,
	`period` text NOT NULL,
	`instance_id` text NOT NULL,
	`started_at` integer NOT NULL,
	PRIMARY KEY(`job`, `period`)
);
--> statement-breakpoint
CREATE TABLE `service_instances` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `service_instances_seen_idx` ON `service_instances` (`seen_at`);