// When the event loop lags past MAX_EVENT_LOOP_DELAY_MS, requests are shed with 503 + Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.js';

function blockEventLoop(ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin: this is the lag under test
  }
}

describe('load shedding', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { MAX_EVENT_LOOP_DELAY_MS: '50' } });
  });
  afterAll(() => app?.stop());

  it('answers 503 OVERLOADED with Retry-After while the loop lags, and serves again afterwards', async () => {
    let shed: Response | undefined;
    for (let attempt = 0; attempt < 20 && !shed; attempt++) {
      blockEventLoop(200);
      const response = await app.request('GET', '/api/me');
      if (response.status === 503) shed = response as Response;
    }
    expect(shed, 'no request was shed').toBeDefined();
    expect(shed!.headers.get('retry-after')).toBe('5');
    expect(await shed!.json()).toMatchObject({ code: 'OVERLOADED', status: 503 });

    let recovered = false;
    for (let attempt = 0; attempt < 50 && !recovered; attempt++) {
      recovered = (await app.request('GET', '/api/me')).status === 401;
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 50)); // let the sampler see an idle loop
    }
    expect(recovered).toBe(true);
  });
});
