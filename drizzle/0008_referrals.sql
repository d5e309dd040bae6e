CREATE TABLE `referrals` (
	`id` text PRIMARY KEY NOT NULL,
	`need_id` text NOT NULL,
	`service_id` text NOT NULL,
	`status` text DEFAULT 'referred' NOT NULL,
	`decline_reason` text,
	`referred_by` text NOT NULL,
	`updated_by` text NOT NULL,
	`follow_up_at` integer,
	`follow_up_answer` text,
	`follow_up_answered_at` integer,
	`follow_up_guardian_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`need_id`) REFERENCES `needs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`follow_up_guardian_id`) REFERENCES `guardians`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `referrals_open_need_service_uq` ON `referrals` (`need_id`,`service_id`) WHERE "referrals"."status" not in ('resolved', 'declined');--> statement-breakpoint
CREATE INDEX `referrals_status_idx` ON `referrals` (`status`);--> statement-breakpoint
CREATE INDEX `referrals_need_idx` ON `referrals` (`need_id`);--> statement-breakpoint
CREATE TABLE `services` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`need_areas` text NOT NULL,
	`contact` text,
	`languages` text NOT NULL,
	`hours` text,
	`notes` text,
	`school_id` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `services_school_idx` ON `services` (`school_id`);