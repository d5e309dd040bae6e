CREATE TABLE `answers` (
	`id` text PRIMARY KEY NOT NULL,
	`checkin_id` text,
	`session_id` text NOT NULL,
	`student_id` text,
	`step_id` text NOT NULL,
	`question_key` text NOT NULL,
	`question_text` text NOT NULL,
	`locale` text NOT NULL,
	`script_id` text NOT NULL,
	`script_version` integer NOT NULL,
	`value` text,
	`raw_text` text,
	`answered_by` text NOT NULL,
	`answered_at` integer NOT NULL,
	FOREIGN KEY (`checkin_id`) REFERENCES `checkins`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`student_id`) REFERENCES `students`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `answers_student_idx` ON `answers` (`student_id`,`answered_at`);--> statement-breakpoint
CREATE INDEX `answers_checkin_idx` ON `answers` (`checkin_id`);--> statement-breakpoint
CREATE TABLE `checkins` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`period` text NOT NULL,
	`subject` text NOT NULL,
	`student_id` text,
	`navigator_id` text,
	`guardian_id` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`session_id` text,
	`started_at` integer,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`student_id`) REFERENCES `students`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`navigator_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`guardian_id`) REFERENCES `guardians`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkins_period_subject_uq` ON `checkins` (`period`,`subject`);--> statement-breakpoint
CREATE INDEX `checkins_navigator_idx` ON `checkins` (`navigator_id`,`period`);--> statement-breakpoint
CREATE INDEX `checkins_student_idx` ON `checkins` (`student_id`,`period`);--> statement-breakpoint
CREATE TABLE `dialog_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`participant_id` text NOT NULL,
	`channel` text NOT NULL,
	`script_id` text NOT NULL,
	`script_version` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`period` text NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sessions_participant_idx` ON `dialog_sessions` (`participant_id`,`status`);--> statement-breakpoint
CREATE TABLE `escalations` (
	`id` text PRIMARY KEY NOT NULL,
	`student_id` text,
	`guardian_id` text,
	`trigger` text NOT NULL,
	`urgent` integer DEFAULT false NOT NULL,
	`source` text NOT NULL,
	`raised_by` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`summary` text NOT NULL,
	`note` text,
	`counselor_id` text,
	`due_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`student_id`) REFERENCES `students`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`guardian_id`) REFERENCES `guardians`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`counselor_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `escalations_status_idx` ON `escalations` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `escalations_student_idx` ON `escalations` (`student_id`);--> statement-breakpoint
CREATE TABLE `needs` (
	`id` text PRIMARY KEY NOT NULL,
	`student_id` text NOT NULL,
	`area` text NOT NULL,
	`severity` text NOT NULL,
	`tier` integer DEFAULT 1 NOT NULL,
	`source` text NOT NULL,
	`status` text DEFAULT 'identified' NOT NULL,
	`question_key` text,
	`question_text` text,
	`answer_text` text,
	`note` text,
	`raised_by` text NOT NULL,
	`referral_service_id` text,
	`times_reported` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`student_id`) REFERENCES `students`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `needs_open_student_area_uq` ON `needs` (`student_id`,`area`) WHERE "needs"."status" not in ('resolved', 'declined');--> statement-breakpoint
CREATE INDEX `needs_status_idx` ON `needs` (`status`);--> statement-breakpoint
CREATE TABLE `strengths` (
	`id` text PRIMARY KEY NOT NULL,
	`student_id` text NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`recorded_by` text NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`student_id`) REFERENCES `students`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `strengths_student_idx` ON `strengths` (`student_id`);--> statement-breakpoint
CREATE TABLE `inbound_events` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`received_at` integer NOT NULL,
	`status` text DEFAULT 'received' NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`idempotency_key` text NOT NULL,
	`channel` text NOT NULL,
	`recipient_kind` text NOT NULL,
	`recipient_id` text NOT NULL,
	`address` text NOT NULL,
	`purpose` text NOT NULL,
	`locale` text NOT NULL,
	`payload` text NOT NULL,
	`body` text,
	`urgent` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`not_before` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`last_error` text,
	`provider_message_id` text,
	`provider_status` text,
	`encoding` text,
	`segments` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_idempotency_uq` ON `outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`not_before`);--> statement-breakpoint
CREATE INDEX `outbox_provider_idx` ON `outbox` (`provider_message_id`);--> statement-breakpoint
CREATE TABLE `timers` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`unique_key` text NOT NULL,
	`fire_at` integer NOT NULL,
	`session_id` text,
	`session_version` integer,
	`payload` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`created_at` integer NOT NULL,
	`fired_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `timers_unique_key_uq` ON `timers` (`unique_key`);--> statement-breakpoint
CREATE INDEX `timers_due_idx` ON `timers` (`status`,`fire_at`);--> statement-breakpoint
CREATE TABLE `assignments` (
	`student_id` text PRIMARY KEY NOT NULL,
	`navigator_id` text NOT NULL,
	`assigned_at` integer NOT NULL,
	FOREIGN KEY (`student_id`) REFERENCES `students`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`navigator_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignments_navigator_idx` ON `assignments` (`navigator_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`action` text NOT NULL,
	`before` text,
	`after` text
);
--> statement-breakpoint
CREATE INDEX `audit_entity_idx` ON `audit_log` (`entity`,`entity_id`);--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit_log` ("at");--> statement-breakpoint
CREATE TABLE `consents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guardian_id` text NOT NULL,
	`channel` text DEFAULT 'sms' NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`locale` text NOT NULL,
	`actor` text NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`guardian_id`) REFERENCES `guardians`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `consents_guardian_idx` ON `consents` (`guardian_id`,`channel`,`recorded_at`);--> statement-breakpoint
CREATE TABLE `guardians` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`phone` text,
	`locale` text NOT NULL,
	`timezone` text NOT NULL,
	`sms_status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `guardians_phone_idx` ON `guardians` (`phone`);--> statement-breakpoint
CREATE TABLE `schools` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`timezone` text NOT NULL,
	`navigator_prompt_day` integer DEFAULT 1 NOT NULL,
	`navigator_prompt_time` text DEFAULT '08:00' NOT NULL,
	`family_checkin_day` integer DEFAULT 2 NOT NULL,
	`family_checkin_time` text DEFAULT '17:00' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staff` (
	`id` text PRIMARY KEY NOT NULL,
	`school_id` text,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`slack_user_id` text,
	`teams_user_id` text,
	`teams_conversation` text,
	`timezone` text NOT NULL,
	`locale` text DEFAULT 'en' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`ooo_from` text,
	`ooo_to` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `staff_email_idx` ON `staff` (`email`);--> statement-breakpoint
CREATE INDEX `staff_slack_idx` ON `staff` (`slack_user_id`);--> statement-breakpoint
CREATE INDEX `staff_teams_idx` ON `staff` (`teams_user_id`);--> statement-breakpoint
CREATE TABLE `student_guardians` (
	`student_id` text NOT NULL,
	`guardian_id` text NOT NULL,
	`relationship` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`student_id`, `guardian_id`),
	FOREIGN KEY (`student_id`) REFERENCES `students`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`guardian_id`) REFERENCES `guardians`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sg_guardian_idx` ON `student_guardians` (`guardian_id`);--> statement-breakpoint
CREATE TABLE `students` (
	`id` text PRIMARY KEY NOT NULL,
	`school_id` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`grade` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `students_school_idx` ON `students` (`school_id`);