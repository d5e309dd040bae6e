-- Keep only the newest active session per person, kind and week before enforcing one (an older race could leave two).
UPDATE `dialog_sessions` SET `status` = 'expired' WHERE `status` = 'active' AND `id` NOT IN (SELECT `id` FROM (SELECT `id`, ROW_NUMBER() OVER (PARTITION BY `participant_id`, `kind`, `period` ORDER BY `created_at` DESC, `id` DESC) AS `n` FROM `dialog_sessions` WHERE `status` = 'active') WHERE `n` = 1);--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_active_week_uq` ON `dialog_sessions` (`participant_id`,`kind`,`period`) WHERE "dialog_sessions"."status" = 'active';
