// Server time in the browser. The socket's `ready` message carries the server's clock; the offset
// is computed once per connection, and countdowns use it, so a phone whose clock is minutes off
// still shows the right number of seconds. Pure, unit-tested in clock.test.ts.

/**
 * The server clock minus ours. `sentAt`/`receivedAt` bracket the exchange in our clock; the server
 * read its clock somewhere in between, so the midpoint is the best guess (error at most half the
 * round trip). Without `sentAt`, the message is assumed to have arrived at once.
 */
export function clockOffset(serverNow: number, receivedAt: number, sentAt: number = receivedAt): number {
  return Math.round(serverNow - (sentAt + receivedAt) / 2);
}

/** Whole seconds left until `deadline` (ISO or ms), never negative; rounds up so 0 means "now". */
export function secondsUntil(deadline: string | number, now: number): number {
  const at = typeof deadline === 'number' ? deadline : Date.parse(deadline);
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** 3725 -> "1:02:05", 65 -> "1:05". */
export function formatDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const mm = hours > 0 ? String(minutes).padStart(2, '0') : String(minutes);
  return `${hours > 0 ? `${hours}:` : ''}${mm}:${String(seconds).padStart(2, '0')}`;
}
