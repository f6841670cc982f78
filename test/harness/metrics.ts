// Reads one series from the app's /metrics, as a scraper would; 0 when it has no sample yet.
import type { TestApp } from './app.js';

export async function metricValue(app: TestApp, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await app.request('GET', '/metrics')).text();
  const selector = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
  const line = text.split('\n').find((row) => row.startsWith(`${name}{${selector}} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
