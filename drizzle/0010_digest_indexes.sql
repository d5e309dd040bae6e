CREATE INDEX `answers_checkin_step_idx` ON `answers` (`checkin_id`,`step_id`,`answered_at`,`value`);--> statement-breakpoint
CREATE INDEX `answers_by_idx` ON `answers` (`answered_by`,`answered_at`);--> statement-breakpoint
CREATE INDEX `checkins_navigator_week_idx` ON `checkins` (`navigator_id`,`period`,`kind`,`student_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `needs_student_idx` ON `needs` (`student_id`);--> statement-breakpoint
CREATE INDEX `outbox_recipient_sent_idx` ON `outbox` (`recipient_id`,`sent_at`);