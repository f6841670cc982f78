// JSON with sorted keys: one text for one value, whatever order its keys were built in. Request
// hashes (idempotency) and the audit chain's hashes are taken over it.

/** JSON with sorted keys, so that {a,b} and {b,a} count as the same value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
