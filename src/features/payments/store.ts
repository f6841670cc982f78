// SQL for payments: checkout sessions, webhook deliveries and the ledger.
import { and, asc, eq, isNotNull, isNull, lt, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../platform/db/client.js';
import { paymentCheckouts, paymentLedger, paymentWebhookEvents } from '../../platform/db/schema.js';
import type { CheckoutStatus } from '../../domain/payments.js';

export type CheckoutRow = typeof paymentCheckouts.$inferSelect;
export type LedgerRow = typeof paymentLedger.$inferSelect;
export type WebhookRow = typeof paymentWebhookEvents.$inferSelect;
type LedgerInsert = typeof paymentLedger.$inferInsert;

export function createPaymentsStore(db: Db) {
  return {
    async openCheckout(registrationId: string): Promise<CheckoutRow | undefined> {
      const [row] = await db
        .select()
        .from(paymentCheckouts)
        .where(and(eq(paymentCheckouts.registrationId, registrationId), eq(paymentCheckouts.status, 'open')));
      return row;
    },

    /** Undefined when the registration already has an open session (a concurrent request won). */
    async insertCheckout(values: typeof paymentCheckouts.$inferInsert): Promise<CheckoutRow | undefined> {
      const [row] = await db.insert(paymentCheckouts).values(values).onConflictDoNothing().returning();
      return row;
    },

    async setCheckoutStatus(sessionId: string, status: CheckoutStatus): Promise<void> {
      await db.update(paymentCheckouts).set({ status, updatedAt: new Date() }).where(eq(paymentCheckouts.sessionId, sessionId));
    },

    /** Stores a delivery once: `inserted` is false for a redelivery, `processed` once its job finished. */
    async recordWebhook(
      provider: string,
      eventId: string,
      type: string,
      payload: Record<string, unknown>,
    ): Promise<{ inserted: boolean; processed: boolean }> {
      const inserted = await db
        .insert(paymentWebhookEvents)
        .values({ provider, eventId, type, payload })
        .onConflictDoNothing()
        .returning({ eventId: paymentWebhookEvents.eventId });
      if (inserted.length > 0) return { inserted: true, processed: false };
      const [row] = await db
        .select({ processedAt: paymentWebhookEvents.processedAt })
        .from(paymentWebhookEvents)
        .where(and(eq(paymentWebhookEvents.provider, provider), eq(paymentWebhookEvents.eventId, eventId)));
      return { inserted: false, processed: row?.processedAt != null };
    },

    async markWebhookProcessed(provider: string, eventId: string): Promise<void> {
      await db
        .update(paymentWebhookEvents)
        .set({ processedAt: new Date() })
        .where(and(eq(paymentWebhookEvents.provider, provider), eq(paymentWebhookEvents.eventId, eventId)));
    },

    async unprocessedWebhooks(receivedBefore: Date, limit: number): Promise<WebhookRow[]> {
      return db
        .select()
        .from(paymentWebhookEvents)
        .where(and(isNull(paymentWebhookEvents.processedAt), lt(paymentWebhookEvents.receivedAt, receivedBefore)))
        .orderBy(asc(paymentWebhookEvents.receivedAt))
        .limit(limit);
    },

    /** A charge is recorded once per provider payment; a replay returns the existing row. */
    async recordCharge(values: Pick<LedgerInsert, 'registrationId' | 'provider' | 'externalId' | 'amountCents' | 'currency'>): Promise<LedgerRow> {
      await db
        .insert(paymentLedger)
        .values({ ...values, kind: 'charge' })
        .onConflictDoNothing();
      const [row] = await db
        .select()
        .from(paymentLedger)
        .where(and(eq(paymentLedger.provider, values.provider), eq(paymentLedger.kind, 'charge'), eq(paymentLedger.externalId, values.externalId)));
      return row!;
    },

    /** Once attached, a charge stays attached: a later replay cannot detach it. */
    async markSettled(chargeId: string, attached: boolean): Promise<void> {
      await db
        .update(paymentLedger)
        .set({ settledAt: new Date(), attached: sql`${paymentLedger.attached} or ${attached}` })
        .where(eq(paymentLedger.id, chargeId));
    },

    async charge(id: string): Promise<LedgerRow | undefined> {
      const [row] = await db
        .select()
        .from(paymentLedger)
        .where(and(eq(paymentLedger.id, id), eq(paymentLedger.kind, 'charge')));
      return row;
    },

    async charges(registrationId: string): Promise<LedgerRow[]> {
      return db
        .select()
        .from(paymentLedger)
        .where(and(eq(paymentLedger.registrationId, registrationId), eq(paymentLedger.kind, 'charge')))
        .orderBy(asc(paymentLedger.createdAt));
    },

    async refundOf(chargeId: string): Promise<LedgerRow | undefined> {
      const [row] = await db
        .select()
        .from(paymentLedger)
        .where(and(eq(paymentLedger.refundOf, chargeId), eq(paymentLedger.kind, 'refund')));
      return row;
    },

    /** Refunds a charge once: a second record for the same charge is dropped and the first returned. */
    async recordRefund(charge: LedgerRow, refundId: string, idempotencyKey: string): Promise<LedgerRow> {
      await db
        .insert(paymentLedger)
        .values({
          registrationId: charge.registrationId,
          kind: 'refund',
          provider: charge.provider,
          externalId: refundId,
          amountCents: charge.amountCents,
          currency: charge.currency,
          refundOf: charge.id,
          idempotencyKey,
        })
        .onConflictDoNothing();
      const [row] = await db
        .select()
        .from(paymentLedger)
        .where(and(eq(paymentLedger.refundOf, charge.id), eq(paymentLedger.kind, 'refund')));
      return row!;
    },

    /** Settled charges that pay for no spot (late or duplicate payments) and are not refunded yet. */
    async detachedUnrefunded(limit: number): Promise<LedgerRow[]> {
      const refunds = alias(paymentLedger, 'refunds');
      return db
        .select()
        .from(paymentLedger)
        .where(
          and(
            eq(paymentLedger.kind, 'charge'),
            isNotNull(paymentLedger.settledAt),
            eq(paymentLedger.attached, false),
            notExists(
              db
                .select({ one: sql`1` })
                .from(refunds)
                .where(and(eq(refunds.kind, 'refund'), eq(refunds.refundOf, paymentLedger.id))),
            ),
          ),
        )
        .limit(limit);
    },
  };
}

export type PaymentsStore = ReturnType<typeof createPaymentsStore>;
