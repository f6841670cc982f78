CREATE TABLE "game_answers" (
	"game_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"player_id" uuid NOT NULL,
	"choice" jsonb NOT NULL,
	"received_at" bigint NOT NULL,
	"correct" boolean NOT NULL,
	"points" integer NOT NULL,
	CONSTRAINT "game_answers_game_id_seq_player_id_pk" PRIMARY KEY("game_id","seq","player_id"),
	CONSTRAINT "game_answers_points_check" CHECK ("game_answers"."points" >= 0)
);
--> statement-breakpoint
CREATE TABLE "game_players" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"game_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"nickname" text NOT NULL,
	"score" bigint DEFAULT 0 NOT NULL,
	"score_reached_at" bigint DEFAULT 0 NOT NULL,
	"streak" integer DEFAULT 0 NOT NULL,
	"async_seq" integer DEFAULT -1 NOT NULL,
	"async_sent_at" timestamp (3) with time zone,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "games" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pin" text NOT NULL,
	"quiz_id" uuid,
	"title" text NOT NULL,
	"questions" jsonb NOT NULL,
	"mode" text NOT NULL,
	"settings" jsonb NOT NULL,
	"status" text DEFAULT 'lobby' NOT NULL,
	"paused_from" text,
	"paused_at" timestamp (3) with time zone,
	"seq" integer DEFAULT -1 NOT NULL,
	"opens_at" timestamp (3) with time zone,
	"closes_at" timestamp (3) with time zone,
	"due_at" timestamp (3) with time zone,
	"players" integer DEFAULT 0 NOT NULL,
	"host_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "games_status_check" CHECK ("games"."status" in ('lobby', 'question', 'results', 'paused', 'ended')),
	CONSTRAINT "games_mode_check" CHECK ("games"."mode" in ('live', 'async')),
	CONSTRAINT "games_pin_check" CHECK ("games"."pin" ~ '^[0-9]{6}$'),
	CONSTRAINT "games_players_check" CHECK ("games"."players" >= 0)
);
--> statement-breakpoint
CREATE TABLE "quizzes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"questions" jsonb NOT NULL,
	"owner_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "game_answers" ADD CONSTRAINT "game_answers_game_id_games_id_fk" FOREIGN KEY ("game_id") REFERENCES "public"."games"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "game_answers" ADD CONSTRAINT "game_answers_player_id_game_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."game_players"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "game_players" ADD CONSTRAINT "game_players_game_id_games_id_fk" FOREIGN KEY ("game_id") REFERENCES "public"."games"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "game_players" ADD CONSTRAINT "game_players_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "games" ADD CONSTRAINT "games_quiz_id_quizzes_id_fk" FOREIGN KEY ("quiz_id") REFERENCES "public"."quizzes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "games" ADD CONSTRAINT "games_host_id_users_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quizzes" ADD CONSTRAINT "quizzes_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "game_players_user_key" ON "game_players" USING btree ("game_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "game_players_nickname_key" ON "game_players" USING btree ("game_id",lower("nickname"));--> statement-breakpoint
CREATE INDEX "game_players_rank_idx" ON "game_players" USING btree ("game_id","score" DESC NULLS LAST,"score_reached_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "games_live_pin_key" ON "games" USING btree ("pin") WHERE "games"."status" <> 'ended';--> statement-breakpoint
CREATE INDEX "games_due_idx" ON "games" USING btree ("due_at") WHERE "games"."due_at" is not null;--> statement-breakpoint
CREATE INDEX "quizzes_owner_idx" ON "quizzes" USING btree ("owner_id","created_at");