// The floor of every request: liveness (the full plugin stack, no database), then an
// authenticated read (JWT check plus one cached user lookup).
import { randomBytes } from 'node:crypto';
import type { Scenario } from '../lib/scenario.js';

async function signUp(baseUrl: string): Promise<string> {
  const id = randomBytes(6).toString('hex');
  const response = await fetch(`${baseUrl}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle: `bench_${id}`, email: `bench-${id}@example.com`, password: randomBytes(12).toString('base64url') }),
  });
  if (response.status !== 201) throw new Error(`signup answered ${response.status}: ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  return token;
}

export const health: Scenario = {
  description: 'GET /health (liveness) and authenticated GET /api/me',
  async run({ stampede, measure }) {
    const token = await signUp(stampede.url);
    return [
      await measure({ name: 'liveness', path: '/health' }),
      await measure({ name: 'current user', path: '/api/me', headers: { authorization: `Bearer ${token}` } }),
    ];
  },
};
