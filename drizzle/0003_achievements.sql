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
ALTER TABLE "actions" ADD CONSTRAINT "actions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_action_type_id_action_types_id_fk" FOREIGN KEY ("action_type_id") REFERENCES "public"."action_types"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leaderboard_scores" ADD CONSTRAINT "leaderboard_scores_board_leaderboards_name_fk" FOREIGN KEY ("board") REFERENCES "public"."leaderboards"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leaderboard_scores" ADD CONSTRAINT "leaderboard_scores_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoreboard_snapshots" ADD CONSTRAINT "scoreboard_snapshots_board_leaderboards_name_fk" FOREIGN KEY ("board") REFERENCES "public"."leaderboards"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "action_types_key_key" ON "action_types" USING btree ("key");--> statement-breakpoint
CREATE UNIQUE INDEX "actions_user_type_identifier_key" ON "actions" USING btree ("user_id","action_type_id","identifier");--> statement-breakpoint
CREATE INDEX "actions_user_type_created_idx" ON "actions" USING btree ("user_id","action_type_id","created_at");--> statement-breakpoint
CREATE INDEX "actions_created_idx" ON "actions" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "leaderboard_scores_rank_idx" ON "leaderboard_scores" USING btree ("board","period","score" DESC NULLS LAST,"reached_at","user_id");--> statement-breakpoint
CREATE INDEX "leaderboard_scores_user_idx" ON "leaderboard_scores" USING btree ("user_id");