// A 429 or 503 is "busy", not an error: wait Retry-After seconds (counting down where the page can
// see it) and send the very same request again, Idempotency-Key included, so a retried write
// never happens twice.
import { createStore } from '../lib/store';

export interface BusyNotice {
  /** When the next attempt goes out, in this browser's clock. */
  retryAt: number;
}

export const busy = createStore<BusyNotice | null>(null);

const MAX_ATTEMPTS = 8;
const DEFAULT_WAIT_SECONDS = 3;
const MAX_WAIT_SECONDS = 60;

/** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); a default when absent. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil(seconds)));
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil((date - now) / 1000)));
  }
  return DEFAULT_WAIT_SECONDS;
}

export async function fetchWithRetry(request: Request): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(request.clone());
    if ((response.status !== 429 && response.status !== 503) || attempt === MAX_ATTEMPTS) {
      if (busy.get()) busy.set(null);
      return response;
    }
    const wait = retryAfterSeconds(response.headers.get('retry-after'));
    busy.set({ retryAt: Date.now() + wait * 1000 });
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}
