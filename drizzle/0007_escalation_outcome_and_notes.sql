CREATE TABLE `escalation_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`escalation_id` text NOT NULL,
	`author_id` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`escalation_id`) REFERENCES `escalations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `escalation_notes_escalation_idx` ON `escalation_notes` (`escalation_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `escalations` ADD `outcome` text;