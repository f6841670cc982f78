CREATE TABLE "whatsapp_players" (
	"wa_id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"game_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "whatsapp_players_user_id_unique" UNIQUE("user_id")
);
--> statement-breakpoint
ALTER TABLE "whatsapp_players" ADD CONSTRAINT "whatsapp_players_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whatsapp_players" ADD CONSTRAINT "whatsapp_players_game_id_games_id_fk" FOREIGN KEY ("game_id") REFERENCES "public"."games"("id") ON DELETE set null ON UPDATE no action;