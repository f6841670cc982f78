ALTER TABLE "action_types" ADD COLUMN "created_by" uuid;--> statement-breakpoint
ALTER TABLE "leaderboards" ADD COLUMN "created_by" uuid;--> statement-breakpoint
ALTER TABLE "action_types" ADD CONSTRAINT "action_types_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leaderboards" ADD CONSTRAINT "leaderboards_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Event boards are now stored under the lower-case UUID only; an anonymous read used to store an
-- empty board per case variant. Those never held a score and nothing names them any more.
DELETE FROM "leaderboards" l WHERE l."name" LIKE 'event:%' AND l."name" <> lower(l."name")
  AND NOT EXISTS (SELECT 1 FROM "leaderboard_scores" s WHERE s."board" = l."name");
