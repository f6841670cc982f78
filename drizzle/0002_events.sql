CREATE TABLE "audit_log" (
	"event_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_event_id_seq_pk" PRIMARY KEY("event_id","seq")
);
--> statement-breakpoint
CREATE TABLE "event_priorities" (
	"event_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"group" text NOT NULL,
	"set_by" uuid,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_priorities_event_id_user_id_pk" PRIMARY KEY("event_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "event_proofs" (
	"event_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"proof" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_proofs_event_id_kind_pk" PRIMARY KEY("event_id","kind"),
	CONSTRAINT "event_proofs_kind_check" CHECK ("event_proofs"."kind" in ('lottery', 'pre-queue'))
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"capacity" integer NOT NULL,
	"mode" text NOT NULL,
	"opens_at" timestamp with time zone,
	"closes_at" timestamp with time zone,
	"hold_seconds" integer DEFAULT 600 NOT NULL,
	"price_cents" integer DEFAULT 0 NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"waitlist" boolean DEFAULT true NOT NULL,
	"pre_queue" boolean DEFAULT false NOT NULL,
	"pre_queue_opens_at" timestamp with time zone,
	"priority_groups" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" uuid NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"lottery_seed" text,
	"lottery_commitment" text,
	"pre_queue_seed" text,
	"pre_queue_commitment" text,
	"confirmed" integer DEFAULT 0 NOT NULL,
	"held" integer DEFAULT 0 NOT NULL,
	"waitlisted" integer DEFAULT 0 NOT NULL,
	"entered" integer DEFAULT 0 NOT NULL,
	"arrivals" bigint DEFAULT 0 NOT NULL,
	"waitlist_promoted" bigint DEFAULT 0 NOT NULL,
	"audit_seq" integer DEFAULT 0 NOT NULL,
	"audit_head" text DEFAULT '0000000000000000000000000000000000000000000000000000000000000000' NOT NULL,
	"opened_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"drawn_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_mode_check" CHECK ("events"."mode" in ('fcfs', 'lottery')),
	CONSTRAINT "events_state_check" CHECK ("events"."state" in ('pending', 'open', 'closed', 'drawn')),
	CONSTRAINT "events_capacity_positive" CHECK ("events"."capacity" >= 1),
	CONSTRAINT "events_hold_seconds_positive" CHECK ("events"."hold_seconds" >= 1),
	CONSTRAINT "events_price_non_negative" CHECK ("events"."price_cents" >= 0),
	CONSTRAINT "events_counters_non_negative" CHECK ("events"."confirmed" >= 0 and "events"."held" >= 0 and "events"."waitlisted" >= 0 and "events"."entered" >= 0),
	CONSTRAINT "events_not_oversold" CHECK ("events"."confirmed" + "events"."held" <= "events"."capacity")
);
--> statement-breakpoint
CREATE TABLE "registrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text NOT NULL,
	"status_reason" text,
	"seq" bigint NOT NULL,
	"queue_pos" bigint NOT NULL,
	"priority" integer DEFAULT 1 NOT NULL,
	"weight" integer DEFAULT 1 NOT NULL,
	"priority_group" text,
	"draw_rank" integer,
	"hold_expires_at" timestamp with time zone,
	"registered_by" uuid,
	"payment_status" text DEFAULT 'none' NOT NULL,
	"payment_provider" text,
	"payment_ref" text,
	"amount_cents" integer,
	"paid_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "registrations_status_check" CHECK ("registrations"."status" in ('entered', 'held', 'confirmed', 'waitlisted', 'expired', 'cancelled')),
	CONSTRAINT "registrations_payment_status_check" CHECK ("registrations"."payment_status" in ('none', 'pending', 'paid', 'refund_pending', 'refunded')),
	CONSTRAINT "registrations_hold_has_expiry" CHECK ("registrations"."status" <> 'held' or "registrations"."hold_expires_at" is not null),
	CONSTRAINT "registrations_weight_positive" CHECK ("registrations"."weight" >= 1)
);
--> statement-breakpoint
CREATE TABLE "achievements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"condition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "achievements_key_key" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "user_achievements" (
	"user_id" uuid NOT NULL,
	"achievement_id" uuid NOT NULL,
	"awarded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_achievements_user_id_achievement_id_pk" PRIMARY KEY("user_id","achievement_id")
);
--> statement-breakpoint
CREATE TABLE "user_action_counts" (
	"user_id" uuid NOT NULL,
	"action_type_id" uuid NOT NULL,
	"action_type_key" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "user_action_counts_user_id_action_type_id_pk" PRIMARY KEY("user_id","action_type_id"),
	CONSTRAINT "user_action_counts_positive" CHECK ("user_action_counts"."count" > 0)
);
--> statement-breakpoint
CREATE TABLE "user_streaks" (
	"user_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"current" integer NOT NULL,
	"longest" integer NOT NULL,
	"last_day" date NOT NULL,
	CONSTRAINT "user_streaks_user_id_scope_pk" PRIMARY KEY("user_id","scope"),
	CONSTRAINT "user_streaks_sane" CHECK ("user_streaks"."current" >= 1 and "user_streaks"."longest" >= "user_streaks"."current")
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_priorities" ADD CONSTRAINT "event_priorities_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_priorities" ADD CONSTRAINT "event_priorities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_priorities" ADD CONSTRAINT "event_priorities_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_proofs" ADD CONSTRAINT "event_proofs_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_registered_by_users_id_fk" FOREIGN KEY ("registered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_achievements" ADD CONSTRAINT "user_achievements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_achievements" ADD CONSTRAINT "user_achievements_achievement_id_achievements_id_fk" FOREIGN KEY ("achievement_id") REFERENCES "public"."achievements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_action_counts" ADD CONSTRAINT "user_action_counts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_streaks" ADD CONSTRAINT "user_streaks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "events_slug_key" ON "events" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_event_user_key" ON "registrations" USING btree ("event_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_event_seq_key" ON "registrations" USING btree ("event_id","seq");--> statement-breakpoint
CREATE INDEX "registrations_event_status_idx" ON "registrations" USING btree ("event_id","status","seq");--> statement-breakpoint
CREATE INDEX "registrations_user_idx" ON "registrations" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "registrations_waitlist_idx" ON "registrations" USING btree ("event_id","priority" DESC NULLS LAST,"queue_pos") WHERE "registrations"."status" = 'waitlisted';--> statement-breakpoint
CREATE INDEX "registrations_hold_expiry_idx" ON "registrations" USING btree ("hold_expires_at") WHERE "registrations"."status" = 'held';--> statement-breakpoint
CREATE INDEX "registrations_refund_pending_idx" ON "registrations" USING btree ("updated_at") WHERE "registrations"."payment_status" = 'refund_pending';--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_payment_ref_key" ON "registrations" USING btree ("payment_provider","payment_ref");