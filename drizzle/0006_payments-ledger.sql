DROP INDEX "payment_ledger_one_refund_key";--> statement-breakpoint
ALTER TABLE "payment_ledger" ADD COLUMN "settled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payment_ledger" ADD COLUMN "attached" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_ledger" ADD COLUMN "refund_of" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_ledger_one_refund_per_charge_key" ON "payment_ledger" USING btree ("refund_of") WHERE "payment_ledger"."kind" = 'refund';--> statement-breakpoint
ALTER TABLE "payment_ledger" ADD CONSTRAINT "payment_ledger_refund_names_charge" CHECK (("payment_ledger"."kind" = 'refund') = ("payment_ledger"."refund_of" is not null));