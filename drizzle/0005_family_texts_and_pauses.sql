CREATE TABLE `family_texts` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`event_id` text NOT NULL,
	`guardian_id` text,
	`address` text NOT NULL,
	`body` text NOT NULL,
	`meaning` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `family_texts_guardian_idx` ON `family_texts` (`guardian_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `family_texts_received_idx` ON `family_texts` (`received_at`);--> statement-breakpoint
CREATE TABLE `sms_pauses` (
	`phone` text PRIMARY KEY NOT NULL,
	`until` integer NOT NULL,
	`weeks` integer NOT NULL,
	`created_at` integer NOT NULL
);
