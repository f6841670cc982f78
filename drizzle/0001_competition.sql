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
CREATE TABLE "payment_checkouts" (
	"session_id" text PRIMARY KEY NOT NULL,
	"registration_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"url" text NOT NULL,
	"amount_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_checkouts_status_check" CHECK ("payment_checkouts"."status" in ('open', 'completed', 'expired'))
);
--> statement-breakpoint
CREATE TABLE "payment_ledger" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"registration_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"provider" text NOT NULL,
	"external_id" text NOT NULL,
	"amount_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"settled_at" timestamp with time zone,
	"attached" boolean DEFAULT false NOT NULL,
	"refund_of" uuid,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_ledger_kind_check" CHECK ("payment_ledger"."kind" in ('charge', 'refund')),
	CONSTRAINT "payment_ledger_amount_non_negative" CHECK ("payment_ledger"."amount_cents" >= 0),
	CONSTRAINT "payment_ledger_refund_names_charge" CHECK (("payment_ledger"."kind" = 'refund') = ("payment_ledger"."refund_of" is not null))
);
--> statement-breakpoint
CREATE TABLE "payment_webhook_events" (
	"provider" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "payment_webhook_events_provider_event_id_pk" PRIMARY KEY("provider","event_id")
);
--> statement-breakpoint
CREATE TABLE "action_types" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"base_score" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"rules" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "action_types_base_score_check" CHECK ("action_types"."base_score" >= 0)
);
--> statement-breakpoint
CREATE TABLE "actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"action_type_id" uuid NOT NULL,
	"identifier" text NOT NULL,
	"metadata" jsonb,
	"score_earned" bigint NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leaderboard_scores" (
	"board" text NOT NULL,
	"period" text NOT NULL,
	"user_id" uuid NOT NULL,
	"score" bigint NOT NULL,
	"reached_at" timestamp with time zone NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	CONSTRAINT "leaderboard_scores_board_period_user_id_pk" PRIMARY KEY("board","period","user_id")
);
--> statement-breakpoint
CREATE TABLE "leaderboards" (
	"name" text PRIMARY KEY NOT NULL,
	"operator" text DEFAULT 'incr' NOT NULL,
	"reset" text DEFAULT 'never' NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"reset_hour" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "leaderboards_operator_check" CHECK ("leaderboards"."operator" in ('incr', 'best', 'set')),
	CONSTRAINT "leaderboards_reset_check" CHECK ("leaderboards"."reset" in ('never', 'daily', 'weekly', 'monthly')),
	CONSTRAINT "leaderboards_reset_hour_check" CHECK ("leaderboards"."reset_hour" between 0 and 23)
);
--> statement-breakpoint
CREATE TABLE "scoreboard_snapshots" (
	"board" text NOT NULL,
	"period" text NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"entries" jsonb NOT NULL,
	CONSTRAINT "scoreboard_snapshots_board_taken_at_pk" PRIMARY KEY("board","taken_at")
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
CREATE TABLE "poll_item_totals" (
	"poll_id" uuid NOT NULL,
	"item_key" text NOT NULL,
	"position_sum" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "poll_item_totals_poll_id_item_key_pk" PRIMARY KEY("poll_id","item_key"),
	CONSTRAINT "poll_item_totals_non_negative" CHECK ("poll_item_totals"."position_sum" >= 0)
);
--> statement-breakpoint
CREATE TABLE "poll_rankings" (
	"poll_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"order" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "poll_rankings_poll_id_user_id_pk" PRIMARY KEY("poll_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "polls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"items" jsonb NOT NULL,
	"voters" integer DEFAULT 0 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "polls_voters_non_negative" CHECK ("polls"."voters" >= 0)
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "utc_offset_minutes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_priorities" ADD CONSTRAINT "event_priorities_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_priorities" ADD CONSTRAINT "event_priorities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_priorities" ADD CONSTRAINT "event_priorities_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_proofs" ADD CONSTRAINT "event_proofs_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_registered_by_users_id_fk" FOREIGN KEY ("registered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_checkouts" ADD CONSTRAINT "payment_checkouts_registration_id_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."registrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_ledger" ADD CONSTRAINT "payment_ledger_registration_id_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."registrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_action_type_id_action_types_id_fk" FOREIGN KEY ("action_type_id") REFERENCES "public"."action_types"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leaderboard_scores" ADD CONSTRAINT "leaderboard_scores_board_leaderboards_name_fk" FOREIGN KEY ("board") REFERENCES "public"."leaderboards"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leaderboard_scores" ADD CONSTRAINT "leaderboard_scores_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoreboard_snapshots" ADD CONSTRAINT "scoreboard_snapshots_board_leaderboards_name_fk" FOREIGN KEY ("board") REFERENCES "public"."leaderboards"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_achievements" ADD CONSTRAINT "user_achievements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_achievements" ADD CONSTRAINT "user_achievements_achievement_id_achievements_id_fk" FOREIGN KEY ("achievement_id") REFERENCES "public"."achievements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_action_counts" ADD CONSTRAINT "user_action_counts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_streaks" ADD CONSTRAINT "user_streaks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_item_totals" ADD CONSTRAINT "poll_item_totals_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_rankings" ADD CONSTRAINT "poll_rankings_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_rankings" ADD CONSTRAINT "poll_rankings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "events_slug_key" ON "events" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_event_user_key" ON "registrations" USING btree ("event_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_event_seq_key" ON "registrations" USING btree ("event_id","seq");--> statement-breakpoint
CREATE INDEX "registrations_event_status_idx" ON "registrations" USING btree ("event_id","status","seq");--> statement-breakpoint
CREATE INDEX "registrations_waitlist_idx" ON "registrations" USING btree ("event_id","priority" DESC NULLS LAST,"queue_pos") WHERE "registrations"."status" = 'waitlisted';--> statement-breakpoint
CREATE INDEX "registrations_hold_expiry_idx" ON "registrations" USING btree ("hold_expires_at") WHERE "registrations"."status" = 'held';--> statement-breakpoint
CREATE INDEX "registrations_refund_pending_idx" ON "registrations" USING btree ("updated_at") WHERE "registrations"."payment_status" = 'refund_pending';--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_payment_ref_key" ON "registrations" USING btree ("payment_provider","payment_ref") WHERE "registrations"."payment_ref" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_checkouts_one_open_key" ON "payment_checkouts" USING btree ("registration_id") WHERE "payment_checkouts"."status" = 'open';--> statement-breakpoint
CREATE INDEX "payment_checkouts_registration_idx" ON "payment_checkouts" USING btree ("registration_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_ledger_external_key" ON "payment_ledger" USING btree ("provider","kind","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_ledger_one_refund_per_charge_key" ON "payment_ledger" USING btree ("refund_of") WHERE "payment_ledger"."kind" = 'refund';--> statement-breakpoint
CREATE INDEX "payment_ledger_registration_idx" ON "payment_ledger" USING btree ("registration_id");--> statement-breakpoint
CREATE INDEX "payment_webhook_events_unprocessed_idx" ON "payment_webhook_events" USING btree ("received_at") WHERE "payment_webhook_events"."processed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "action_types_key_key" ON "action_types" USING btree ("key");--> statement-breakpoint
CREATE UNIQUE INDEX "actions_user_type_identifier_key" ON "actions" USING btree ("user_id","action_type_id","identifier");--> statement-breakpoint
CREATE INDEX "actions_user_type_created_idx" ON "actions" USING btree ("user_id","action_type_id","created_at");--> statement-breakpoint
CREATE INDEX "actions_created_idx" ON "actions" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "leaderboard_scores_rank_idx" ON "leaderboard_scores" USING btree ("board","period","score" DESC NULLS LAST,"reached_at","user_id");--> statement-breakpoint
CREATE INDEX "leaderboard_scores_user_idx" ON "leaderboard_scores" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_utc_offset_check" CHECK ("users"."utc_offset_minutes" between -720 and 840);