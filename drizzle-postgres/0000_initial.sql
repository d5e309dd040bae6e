CREATE TABLE "answers" (
	"id" text PRIMARY KEY NOT NULL,
	"checkin_id" text,
	"session_id" text NOT NULL,
	"student_id" text,
	"step_id" text NOT NULL,
	"question_key" text NOT NULL,
	"question_text" text NOT NULL,
	"locale" text NOT NULL,
	"script_id" text NOT NULL,
	"script_version" bigint NOT NULL,
	"value" jsonb,
	"raw_text" text,
	"answered_by" text NOT NULL,
	"answered_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checkins" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"period" text NOT NULL,
	"subject" text NOT NULL,
	"student_id" text,
	"navigator_id" text,
	"guardian_id" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"session_id" text,
	"started_at" bigint,
	"completed_at" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dialog_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"participant_id" text NOT NULL,
	"channel" text NOT NULL,
	"script_id" text NOT NULL,
	"script_version" bigint NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"period" text NOT NULL,
	"state" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "escalation_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"escalation_id" text NOT NULL,
	"author_id" text NOT NULL,
	"text" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "escalations" (
	"id" text PRIMARY KEY NOT NULL,
	"student_id" text,
	"guardian_id" text,
	"trigger" text NOT NULL,
	"urgent" boolean DEFAULT false NOT NULL,
	"source" text NOT NULL,
	"raised_by" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"summary" text NOT NULL,
	"note" text,
	"counselor_id" text,
	"due_at" bigint,
	"outcome" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "needs" (
	"id" text PRIMARY KEY NOT NULL,
	"student_id" text NOT NULL,
	"area" text NOT NULL,
	"severity" text NOT NULL,
	"tier" bigint DEFAULT 1 NOT NULL,
	"source" text NOT NULL,
	"status" text DEFAULT 'identified' NOT NULL,
	"question_key" text,
	"question_text" text,
	"answer_text" text,
	"note" text,
	"raised_by" text NOT NULL,
	"referral_service_id" text,
	"times_reported" bigint DEFAULT 1 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strengths" (
	"id" text PRIMARY KEY NOT NULL,
	"student_id" text NOT NULL,
	"kind" text NOT NULL,
	"text" text NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_events" (
	"id" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"received_at" bigint NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"channel" text NOT NULL,
	"recipient_kind" text NOT NULL,
	"recipient_id" text NOT NULL,
	"address" text NOT NULL,
	"purpose" text NOT NULL,
	"locale" text NOT NULL,
	"payload" jsonb NOT NULL,
	"origin" jsonb,
	"body" text,
	"urgent" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"not_before" bigint NOT NULL,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_until" bigint,
	"last_error" text,
	"provider_message_id" text,
	"provider_status" text,
	"encoding" text,
	"segments" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"sent_at" bigint
);
--> statement-breakpoint
CREATE TABLE "timers" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"unique_key" text NOT NULL,
	"fire_at" bigint NOT NULL,
	"session_id" text,
	"session_version" bigint,
	"payload" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"lease_owner" text,
	"lease_until" bigint,
	"created_at" bigint NOT NULL,
	"fired_at" bigint
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" text PRIMARY KEY NOT NULL,
	"need_id" text NOT NULL,
	"service_id" text NOT NULL,
	"status" text DEFAULT 'referred' NOT NULL,
	"decline_reason" text,
	"referred_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"follow_up_at" bigint,
	"follow_up_answer" text,
	"follow_up_answered_at" bigint,
	"follow_up_guardian_id" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"need_areas" jsonb NOT NULL,
	"contact" text,
	"languages" jsonb NOT NULL,
	"hours" text,
	"notes" text,
	"school_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"student_id" text PRIMARY KEY NOT NULL,
	"navigator_id" text NOT NULL,
	"assigned_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"actor" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"action" text NOT NULL,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "consents" (
	"id" bigint PRIMARY KEY NOT NULL,
	"guardian_id" text NOT NULL,
	"channel" text DEFAULT 'sms' NOT NULL,
	"status" text NOT NULL,
	"source" text NOT NULL,
	"locale" text NOT NULL,
	"actor" text NOT NULL,
	"recorded_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "guardians" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"phone" text,
	"locale" text NOT NULL,
	"timezone" text NOT NULL,
	"sms_status" text DEFAULT 'active' NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schools" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"timezone" text NOT NULL,
	"phone" text,
	"navigator_prompt_day" bigint DEFAULT 1 NOT NULL,
	"navigator_prompt_time" text DEFAULT '08:00' NOT NULL,
	"family_checkin_day" bigint DEFAULT 2 NOT NULL,
	"family_checkin_time" text DEFAULT '17:00' NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" text PRIMARY KEY NOT NULL,
	"school_id" text,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"slack_user_id" text,
	"teams_user_id" text,
	"teams_conversation" text,
	"timezone" text NOT NULL,
	"locale" text DEFAULT 'en' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"ooo_from" text,
	"ooo_to" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "student_guardians" (
	"student_id" text NOT NULL,
	"guardian_id" text NOT NULL,
	"relationship" text,
	"created_at" bigint NOT NULL,
	CONSTRAINT "student_guardians_student_id_guardian_id_pk" PRIMARY KEY("student_id","guardian_id")
);
--> statement-breakpoint
CREATE TABLE "students" (
	"id" text PRIMARY KEY NOT NULL,
	"school_id" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"grade" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "family_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"guardian_id" text NOT NULL,
	"body" text NOT NULL,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "family_texts" (
	"id" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"event_id" text NOT NULL,
	"guardian_id" text,
	"address" text NOT NULL,
	"body" text NOT NULL,
	"meaning" text NOT NULL,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_opt_outs" (
	"phone" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_pauses" (
	"phone" text PRIMARY KEY NOT NULL,
	"until" bigint NOT NULL,
	"weeks" bigint NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "navigator_tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"navigator_id" text NOT NULL,
	"student_id" text,
	"guardian_id" text,
	"source_key" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"due_at" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"done_at" bigint,
	"done_by" text
);
--> statement-breakpoint
CREATE TABLE "teams_conversations" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"user_aad_id" text,
	"tenant_id" text,
	"service_url" text NOT NULL,
	"reference" jsonb NOT NULL,
	"unreachable_at" bigint,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "answers" ADD CONSTRAINT "answers_checkin_id_checkins_id_fk" FOREIGN KEY ("checkin_id") REFERENCES "public"."checkins"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answers" ADD CONSTRAINT "answers_student_id_students_id_fk" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkins" ADD CONSTRAINT "checkins_student_id_students_id_fk" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkins" ADD CONSTRAINT "checkins_navigator_id_staff_id_fk" FOREIGN KEY ("navigator_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkins" ADD CONSTRAINT "checkins_guardian_id_guardians_id_fk" FOREIGN KEY ("guardian_id") REFERENCES "public"."guardians"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_notes" ADD CONSTRAINT "escalation_notes_escalation_id_escalations_id_fk" FOREIGN KEY ("escalation_id") REFERENCES "public"."escalations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_notes" ADD CONSTRAINT "escalation_notes_author_id_staff_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_student_id_students_id_fk" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_guardian_id_guardians_id_fk" FOREIGN KEY ("guardian_id") REFERENCES "public"."guardians"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_counselor_id_staff_id_fk" FOREIGN KEY ("counselor_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "needs" ADD CONSTRAINT "needs_student_id_students_id_fk" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strengths" ADD CONSTRAINT "strengths_student_id_students_id_fk" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_need_id_needs_id_fk" FOREIGN KEY ("need_id") REFERENCES "public"."needs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_follow_up_guardian_id_guardians_id_fk" FOREIGN KEY ("follow_up_guardian_id") REFERENCES "public"."guardians"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_student_id_students_id_fk" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_navigator_id_staff_id_fk" FOREIGN KEY ("navigator_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_guardian_id_guardians_id_fk" FOREIGN KEY ("guardian_id") REFERENCES "public"."guardians"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "student_guardians" ADD CONSTRAINT "student_guardians_student_id_students_id_fk" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "student_guardians" ADD CONSTRAINT "student_guardians_guardian_id_guardians_id_fk" FOREIGN KEY ("guardian_id") REFERENCES "public"."guardians"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "students" ADD CONSTRAINT "students_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "family_messages" ADD CONSTRAINT "family_messages_guardian_id_guardians_id_fk" FOREIGN KEY ("guardian_id") REFERENCES "public"."guardians"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "navigator_tasks" ADD CONSTRAINT "navigator_tasks_navigator_id_staff_id_fk" FOREIGN KEY ("navigator_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "navigator_tasks" ADD CONSTRAINT "navigator_tasks_student_id_students_id_fk" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "navigator_tasks" ADD CONSTRAINT "navigator_tasks_guardian_id_guardians_id_fk" FOREIGN KEY ("guardian_id") REFERENCES "public"."guardians"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "answers_student_idx" ON "answers" USING btree ("student_id","answered_at");--> statement-breakpoint
CREATE INDEX "answers_checkin_idx" ON "answers" USING btree ("checkin_id");--> statement-breakpoint
CREATE INDEX "answers_checkin_step_idx" ON "answers" USING btree ("checkin_id","step_id","answered_at","value");--> statement-breakpoint
CREATE INDEX "answers_by_idx" ON "answers" USING btree ("answered_by","answered_at");--> statement-breakpoint
CREATE INDEX "answers_step_value_idx" ON "answers" USING btree ("step_id","value","checkin_id","answered_at");--> statement-breakpoint
CREATE UNIQUE INDEX "checkins_period_subject_uq" ON "checkins" USING btree ("period","subject");--> statement-breakpoint
CREATE INDEX "checkins_navigator_idx" ON "checkins" USING btree ("navigator_id","period");--> statement-breakpoint
CREATE INDEX "checkins_student_idx" ON "checkins" USING btree ("student_id","period");--> statement-breakpoint
CREATE INDEX "checkins_navigator_week_idx" ON "checkins" USING btree ("navigator_id","period","kind","student_id","status","id");--> statement-breakpoint
CREATE INDEX "sessions_participant_idx" ON "dialog_sessions" USING btree ("participant_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_active_week_uq" ON "dialog_sessions" USING btree ("participant_id","kind","period") WHERE "dialog_sessions"."status" = 'active';--> statement-breakpoint
CREATE INDEX "escalation_notes_escalation_idx" ON "escalation_notes" USING btree ("escalation_id","created_at");--> statement-breakpoint
CREATE INDEX "escalations_status_idx" ON "escalations" USING btree ("status","due_at");--> statement-breakpoint
CREATE INDEX "escalations_student_idx" ON "escalations" USING btree ("student_id");--> statement-breakpoint
CREATE UNIQUE INDEX "needs_open_student_area_uq" ON "needs" USING btree ("student_id","area") WHERE "needs"."status" not in ('resolved', 'declined');--> statement-breakpoint
CREATE INDEX "needs_status_idx" ON "needs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "needs_student_idx" ON "needs" USING btree ("student_id");--> statement-breakpoint
CREATE INDEX "strengths_student_idx" ON "strengths" USING btree ("student_id");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_idempotency_uq" ON "outbox" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("status","not_before");--> statement-breakpoint
CREATE INDEX "outbox_provider_idx" ON "outbox" USING btree ("provider_message_id");--> statement-breakpoint
CREATE INDEX "outbox_recipient_sent_idx" ON "outbox" USING btree ("recipient_id","sent_at");--> statement-breakpoint
CREATE UNIQUE INDEX "timers_unique_key_uq" ON "timers" USING btree ("unique_key");--> statement-breakpoint
CREATE INDEX "timers_due_idx" ON "timers" USING btree ("status","fire_at");--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_open_need_service_uq" ON "referrals" USING btree ("need_id","service_id") WHERE "referrals"."status" not in ('resolved', 'declined');--> statement-breakpoint
CREATE INDEX "referrals_status_idx" ON "referrals" USING btree ("status");--> statement-breakpoint
CREATE INDEX "referrals_need_idx" ON "referrals" USING btree ("need_id");--> statement-breakpoint
CREATE INDEX "services_school_idx" ON "services" USING btree ("school_id");--> statement-breakpoint
CREATE INDEX "assignments_navigator_idx" ON "assignments" USING btree ("navigator_id");--> statement-breakpoint
CREATE INDEX "audit_entity_idx" ON "audit_log" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE INDEX "audit_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "consents_guardian_idx" ON "consents" USING btree ("guardian_id","channel","recorded_at");--> statement-breakpoint
CREATE INDEX "consents_guardian_status_idx" ON "consents" USING btree ("guardian_id","channel","recorded_at","id","status");--> statement-breakpoint
CREATE INDEX "guardians_phone_idx" ON "guardians" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "staff_email_idx" ON "staff" USING btree ("email");--> statement-breakpoint
CREATE INDEX "staff_slack_idx" ON "staff" USING btree ("slack_user_id");--> statement-breakpoint
CREATE INDEX "staff_teams_idx" ON "staff" USING btree ("teams_user_id");--> statement-breakpoint
CREATE INDEX "sg_guardian_idx" ON "student_guardians" USING btree ("guardian_id");--> statement-breakpoint
CREATE INDEX "students_school_idx" ON "students" USING btree ("school_id");--> statement-breakpoint
CREATE INDEX "family_messages_guardian_idx" ON "family_messages" USING btree ("guardian_id","received_at");--> statement-breakpoint
CREATE INDEX "family_texts_guardian_idx" ON "family_texts" USING btree ("guardian_id","received_at");--> statement-breakpoint
CREATE INDEX "family_texts_received_idx" ON "family_texts" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "navigator_tasks_source_idx" ON "navigator_tasks" USING btree ("source_key");--> statement-breakpoint
CREATE INDEX "navigator_tasks_navigator_idx" ON "navigator_tasks" USING btree ("navigator_id","status");--> statement-breakpoint
CREATE INDEX "teams_conversations_user_idx" ON "teams_conversations" USING btree ("user_aad_id");