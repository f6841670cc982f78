// The states of checkout sessions and the kinds of money movements.

export const CHECKOUT_STATUSES = ['open', 'completed', 'expired'] as const;

export type CheckoutStatus = (typeof CHECKOUT_STATUSES)[number];

export const LEDGER_KINDS = ['charge', 'refund'] as const;

export type LedgerKind = (typeof LEDGER_KINDS)[number];
