// Idempotency keys. crypto.randomUUID exists only in secure contexts; a LAN install served over
// plain HTTP still needs unique keys, so fall back to getRandomValues, which exists everywhere.
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext !== false) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
