// WhatsApp sending at the cap: --recipients players each send a signed JOIN to the webhook
// (--connections at a time); with no game handler registered each gets one reply, so the
// server sends --recipients messages through its paced queue to a local Graph API stand-in.
// Reports the webhook's latency and the send rate the stand-in saw: its mean, and the most
// sends in any one-second window, against WHATSAPP_MAX_MPS (goal: within ±5 %, never above).
import { createHmac } from 'node:crypto';
import { percentile } from '../lib/load.js';
import type { Measurement, Scenario } from '../lib/scenario.js';
import { startGraphApiStandIn, type GraphApiStandIn } from '../../test/harness/graph-api-stand-in.js';
import { onCleanup } from '../lib/cleanup.js';

const MAX_MPS = 80;
const APP_SECRET = 'bench-app-secret';
const TOLERANCE = 0.05;
const WEBHOOK = '/api/whatsapp/webhook';

let graph: GraphApiStandIn | undefined;

function delivery(index: number): string {
  const from = String(447_000_000_000 + index);
  const message = { id: `wamid.bench${index}`, from, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'JOIN 123456' } };
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [message] } }] }] });
}

async function post(baseUrl: string, body: string): Promise<{ status: number; ms: number }> {
  const signature = `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
  const started = performance.now();
  try {
    const response = await fetch(baseUrl + WEBHOOK, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

async function waitForSends(standIn: GraphApiStandIn, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (standIn.accepted().length < count) {
    if (Date.now() > deadline) throw new Error(`the stand-in saw ${standIn.accepted().length} of ${count} sends in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const whatsappScenario: Scenario = {
  description: `--recipients players JOIN over the webhook; replies leave paced at WHATSAPP_MAX_MPS (${MAX_MPS}) to a Graph API stand-in`,
  async serverEnv() {
    graph = await startGraphApiStandIn();
    const standIn = graph;
    onCleanup(() => standIn.close());
    return {
      WHATSAPP_GRAPH_URL: standIn.url,
      WHATSAPP_PHONE_NUMBER_ID: '1000',
      WHATSAPP_ACCESS_TOKEN: 'bench-token',
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: 'bench',
      WHATSAPP_MAX_MPS: String(MAX_MPS),
    };
  },
  async run({ stampede, options }) {
    const standIn = graph!;
    const total = options.recipients;
    const answers: Array<{ status: number; ms: number }> = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(options.connections, total) }, async () => {
        while (next < total) answers.push(await post(stampede.url, delivery(next++)));
      }),
    );
    const ingestEnded = performance.now();
    const postedIn = ingestEnded - started;
    await waitForSends(standIn, total, (total / MAX_MPS) * 2_000 + 60_000);

    const sends = standIn
      .accepted()
      .map((call) => call.at)
      .sort((a, b) => a - b);
    const spanSeconds = (sends.at(-1)! - sends[0]!) / 1000;
    const meanRate = (sends.length - 1) / spanSeconds;
    const busiest = standIn.maxInWindow(1000);
    // While the 2,000 deliveries pour in, the server (and this process, which hosts the stand-in)
    // spend their CPU on them; the rate that the cap governs is the one once the sender has the
    // machine: the sends after the last delivery was acknowledged.
    const steady = sends.filter((at) => at >= ingestEnded);
    const steadyRate = steady.length > 1 ? (steady.length - 1) / ((steady.at(-1)! - steady[0]!) / 1000) : Number.NaN;
    const perSecond = new Array<number>(Math.ceil(spanSeconds) + 1).fill(0);
    for (const at of sends) perSecond[Math.floor((at - sends[0]!) / 1000)]!++;
    const withinTolerance = Math.abs(steadyRate / MAX_MPS - 1) <= TOLERANCE;
    const vsCap = (rate: number) => `${((rate / MAX_MPS - 1) * 100).toFixed(2)} %`;
    const latencies = Float64Array.from(answers.filter((a) => a.status !== 0).map((a) => a.ms)).sort();
    const statuses: Record<string, number> = {};
    for (const answer of answers) if (answer.status !== 0) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    const measurement: Measurement = {
      name: 'whatsapp webhook + paced replies',
      method: 'POST',
      path: WEBHOOK,
      requestsPerSec: latencies.length / (postedIn / 1000),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      totalRequests: latencies.length,
      errors: answers.length - latencies.length,
      non2xx: answers.filter((a) => a.status !== 0 && (a.status < 200 || a.status > 299)).length,
      statuses,
      responses: latencies.length,
      notes: [
        `${sends.length} sends reached the stand-in over ${spanSeconds.toFixed(2)} s (${standIn.calls.length - sends.length} refused)`,
        `send rate once the deliveries were in (${steady.length} sends): ${steadyRate.toFixed(2)}/s against WHATSAPP_MAX_MPS ${MAX_MPS}: ${vsCap(steadyRate)} (goal ±5 %): ${withinTolerance ? 'met' : 'MISSED'}`,
        `send rate over the whole run, ingest included: ${meanRate.toFixed(2)}/s (${vsCap(meanRate)})`,
        `sends per second from the first: ${perSecond.join(' ')}`,
        `most sends in any one-second window: ${busiest} (goal <= ${MAX_MPS}): ${busiest <= MAX_MPS ? 'met' : 'MISSED'}`,
        `all ${total} deliveries acknowledged in ${(postedIn / 1000).toFixed(2)} s, before the paced sends finished`,
      ],
    };
    return [measurement];
  },
};
