// The files under deploy/ cannot run here (no Docker, no cluster), so this checks what can be
// checked: they parse, every metric the dashboard and the alert rules query is one a real
// /metrics scrape has, every setting they give Stampede is documented, and the Dockerfile runs
// the commands the README documents.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { startTestApp, type TestApp } from '../harness/app.js';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const k8sFiles = readdirSync(path.join(root, 'deploy/k8s')).map((name) => `deploy/k8s/${name}`);
const k8s = k8sFiles.flatMap((file) => parseAllDocuments(read(file)).map((document) => document.toJS() as any));
const compose = parse(read('deploy/docker-compose.yml'), { merge: true }) as any;
const alerts = parse(read('deploy/prometheus/alerts.yml')) as any;
const dashboard = JSON.parse(read('deploy/grafana/stampede-dashboard.json')) as any;
const dockerfile = read('deploy/Dockerfile');

/** PromQL functions and keywords that look like metric names. */
const PROMQL_WORDS = new Set([
  'histogram_quantile',
  'label_replace',
  'label_join',
  'absent_over_time',
  'avg_over_time',
  'max_over_time',
  'sum_over_time',
]);

/** Metric names in a PromQL expression: label matchers, groupings and strings removed first. */
function metricsIn(expression: string): string[] {
  const bare = expression
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/\b[a-z_][a-z0-9_]*\b/g)].map(([name]) => name).filter((name) => name.includes('_') && !PROMQL_WORDS.has(name));
}

/** The family a sample name belongs to: a histogram's _bucket, _sum and _count are the histogram. */
const family = (name: string) => name.replace(/_(bucket|sum|count)$/, '');

describe('deploy files', () => {
  let app: TestApp;
  let scraped: Set<string>;

  beforeAll(async () => {
    app = await startTestApp({ store: 'postgres', redis: true });
    const text = await (await app.request('GET', '/metrics')).text();
    scraped = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name!));
  });
  afterAll(() => app?.stop());

  it('parse, and the Kubernetes manifests hold what operators need', () => {
    const kinds = k8s.map((manifest) => manifest.kind).sort();
    expect(kinds).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service']);
    const container = k8s.find((manifest) => manifest.kind === 'Deployment').spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(Object.keys(compose.services).sort()).toEqual(['app1', 'app2', 'nginx', 'postgres', 'redis']);
    expect(compose.services.app1.environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(alerts.groups[0].rules.length).toBeGreaterThan(0);
  });

  it('query only metrics that a real /metrics scrape has', () => {
    const expressions = [
      ...alerts.groups.flatMap((group: any) => group.rules.map((rule: any) => rule.expr as string)),
      ...dashboard.panels.flatMap((panel: any) => panel.targets.map((target: any) => target.expr as string)),
    ];
    const named = new Set(expressions.flatMap(metricsIn));
    // The issue's list: request rate, errors, p95, DB pool, cache hits, breaker opens, 429s, queue depths, registrations.
    for (const needed of ['http_requests_total', 'http_request_duration_seconds_bucket', 'db_pool_connections', 'cache_hits_total']) {
      expect(named).toContain(needed);
    }
    for (const needed of ['circuit_breaker_opens_total', 'rate_limit_rejections_total', 'job_queue_depth', 'registration_changes_total']) {
      expect(named).toContain(needed);
    }
    expect([...named].filter((name) => !scraped.has(family(name)))).toEqual([]);
  });

  it('set only environment variables that docs/configuration.md documents', () => {
    const documented = new Set([...read('docs/configuration.md').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(([, name]) => name));
    const manifest = (kind: string) => k8s.find((entry) => entry.kind === kind);
    const given = [
      ...Object.keys(manifest('ConfigMap').data),
      ...Object.keys(manifest('Secret').stringData),
      ...(manifest('Deployment').spec.template.spec.containers[0].env ?? []).map((entry: any) => entry.name),
      ...['app1', 'app2'].flatMap((service) => Object.keys(compose.services[service].environment)),
      ...[...dockerfile.matchAll(/^ENV (.+)$/gm)].flatMap(([, pairs]) => [...pairs!.matchAll(/([A-Z][A-Z0-9_]*)=/g)].map(([, name]) => name!)),
      ...[.../env: \{([^}]*)\}/.exec(read('deploy/pm2/ecosystem.config.cjs'))![1]!.matchAll(/\b([A-Z][A-Z0-9_]+):/g)].map(([, name]) => name!),
    ];
    expect(given.length).toBeGreaterThan(5);
    expect(given.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('run the commands the README documents', () => {
    const readme = read('README.md');
    const commands = [...dockerfile.matchAll(/^RUN (.+)$/gm)].flatMap(([, line]) => line!.split('&&').map((command) => command.trim()));
    const start = /^CMD \[(.+)\]$/m.exec(dockerfile)![1]!.replace(/"/g, '').split(/,\s*/).join(' ');
    const documented = [...commands.filter((command) => command.startsWith('npm ')), start];
    expect(documented).toContain('npm run build');
    expect(documented.filter((command) => !readme.includes(command))).toEqual([]);
    expect(dockerfile).toMatch(/^FROM node:24-slim AS build$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });
});
