CREATE TABLE `navigator_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`navigator_id` text NOT NULL,
	`student_id` text,
	`guardian_id` text,
	`source_key` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`due_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`done_at` integer,
	`done_by` text,
	FOREIGN KEY (`navigator_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`student_id`) REFERENCES `students`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`guardian_id`) REFERENCES `guardians`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `navigator_tasks_source_idx` ON `navigator_tasks` (`source_key`);--> statement-breakpoint
CREATE INDEX `navigator_tasks_navigator_idx` ON `navigator_tasks` (`navigator_id`,`status`);