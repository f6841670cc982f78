DROP INDEX "registrations_user_idx";--> statement-breakpoint
DROP INDEX "registrations_payment_ref_key";--> statement-breakpoint
CREATE UNIQUE INDEX "registrations_payment_ref_key" ON "registrations" USING btree ("payment_provider","payment_ref") WHERE "registrations"."payment_ref" is not null;