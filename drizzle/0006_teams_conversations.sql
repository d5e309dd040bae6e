CREATE TABLE `teams_conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`user_aad_id` text,
	`tenant_id` text,
	`service_url` text NOT NULL,
	`reference` text NOT NULL,
	`unreachable_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `teams_conversations_user_idx` ON `teams_conversations` (`user_aad_id`);