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
ALTER TABLE "poll_item_totals" ADD CONSTRAINT "poll_item_totals_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_rankings" ADD CONSTRAINT "poll_rankings_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_rankings" ADD CONSTRAINT "poll_rankings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;