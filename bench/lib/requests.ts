// Request rewriting and answer counting shared by scenarios.
import type { DynamicRequest } from './load.js';
import type { Entrant } from '../../test/harness/entrants.js';

/** Round-robin over tokens: each request goes out as the next user. */
export function asEachUser(users: Entrant[], rewrite: (request: DynamicRequest, n: number) => DynamicRequest = (request) => request) {
  let n = 0;
  return (request: DynamicRequest): DynamicRequest => {
    const user = users[n % users.length]!;
    return rewrite({ ...request, headers: { ...request.headers, authorization: `Bearer ${user.token}` } }, n++);
  };
}

/** Counts X-Cache answers, to say how many reads the cache served. */
export function cacheCounter() {
  const counts = { HIT: 0, MISS: 0 };
  return {
    onResponse: (_status: number, _body: string, headers: Record<string, string>) => {
      const value = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-cache')?.[1];
      if (value === 'HIT' || value === 'MISS') counts[value]++;
    },
    note: () => `X-Cache: ${counts.HIT.toLocaleString('en-US')} HIT, ${counts.MISS.toLocaleString('en-US')} MISS`,
  };
}
