// The operations dashboard (admins): the server's own metrics, pushed every second on ops:live,
// kept for the last 15 minutes. Each figure is a small chart with its current value large;
// colour only marks thresholds, which are written beside the value.
import { useState } from 'react';
import { Navigate } from 'react-router';
import { session } from '../../api/session';
import { Notice } from '../../components/ui';
import { useStore } from '../../lib/store';
import { useLive, useLiveStatus } from '../../live/hooks';
import { Chart } from './chart';
import './ops.css';

const WINDOW_MS = 15 * 60 * 1000;

interface OpsSample {
  instance: string;
  at: number;
  requestsPerSecond: number;
  errorsPerSecond: number;
  p50: number | null;
  p95: number | null;
  dbPool: { total: number; idle: number; waiting: number; inUse: number };
  cacheHitRatio: number | null;
  breakers: { postgres: string; redis: string };
  tooManyPerMinute: number;
  queues: { waiting: number; delayed: number; active: number; failed: number } | null;
  sockets: number;
  eventLoopLagSeconds: number;
  registrationsPerSecond: number;
  actionsPerSecond: number;
}

const perSecond = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}/s`;
const ms = (v: number) => `${(v * 1000).toFixed(v < 0.01 ? 1 : 0)} ms`;
const percent = (v: number) => `${(v * 100).toFixed(0)} %`;
const count = (v: number) => v.toFixed(0);

export default function OpsDashboard() {
  const current = useStore(session);
  const live = useLiveStatus();
  // Each instance pushes its own figures; the dashboard shows one at a time.
  const [byInstance, setByInstance] = useState<Record<string, OpsSample[]>>({});
  const [chosen, setChosen] = useState<string | null>(null);
  useLive<OpsSample>('ops:live', 'ops', (sample) => {
    setByInstance((all) => ({ ...all, [sample.instance]: [...(all[sample.instance] ?? []).filter((s) => s.at > sample.at - WINDOW_MS), sample] }));
  });
  if (current?.user.role !== 'admin') return <Navigate to="/events" replace />;
  const instances = Object.keys(byInstance);
  const instance = chosen ?? instances[0];
  const samples = (instance && byInstance[instance]) || [];

  const times = samples.map((s) => s.at);
  const pick = (read: (s: OpsSample) => number | null) => samples.map(read);
  const last = samples.at(-1);
  const errorRatio = (s: OpsSample) => (s.requestsPerSecond > 0 ? s.errorsPerSecond / s.requestsPerSecond : 0);

  return (
    <article className="stack">
      <h1>Operations</h1>
      {!live.connected && <Notice tone="warn">Reconnecting… the charts stop at the last update.</Notice>}
      {!last && <p>Waiting for the first figures (they arrive every second)…</p>}
      {instances.length > 1 && (
        <div className="field">
          <label htmlFor="ops-instance">Instance</label>
          <select id="ops-instance" value={instance} onChange={(event) => setChosen(event.target.value)}>
            {instances.map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </div>
      )}
      {last && (
        <section className="card row" aria-label="Circuit breakers">
          <strong>Breakers</strong>
          {(['postgres', 'redis'] as const).map((name) => (
            <span
              key={name}
              className={`notice ${last.breakers[name] === 'closed' ? 'ok' : last.breakers[name] === 'open' ? 'bad' : 'warn'}`}
              data-testid={`breaker-${name}`}
            >
              {name}: {last.breakers[name]}
            </span>
          ))}
          <small className="muted">closed is healthy; open means requests fail fast with 503</small>
        </section>
      )}
      <div className="ops-grid">
        <Chart title="Requests" times={times} series={[{ label: 'req/s', values: pick((s) => s.requestsPerSecond) }]} format={perSecond} />
        <Chart
          title="Errors (5xx share)"
          times={times}
          series={[{ label: 'errors', values: pick(errorRatio) }]}
          format={percent}
          range={[0, 1]}
          threshold={{ warn: 0.01, bad: 0.05, label: 'warn ≥ 1 %, bad ≥ 5 %' }}
        />
        <Chart
          title="Latency"
          times={times}
          series={[
            { label: 'p95', values: pick((s) => s.p95) },
            { label: 'p50', values: pick((s) => s.p50) },
          ]}
          format={ms}
          threshold={{ warn: 0.25, bad: 1, label: 'p95 warn ≥ 250 ms, bad ≥ 1 s' }}
        />
        <Chart
          title="DB pool"
          times={times}
          series={[
            { label: 'waiting', values: pick((s) => s.dbPool.waiting) },
            { label: 'in use', values: pick((s) => s.dbPool.inUse) },
          ]}
          format={count}
          threshold={{ warn: 1, bad: 20, label: 'waiting warn ≥ 1, bad ≥ 20' }}
        />
        <Chart
          title="Cache hit ratio"
          times={times}
          series={[{ label: 'hits', values: pick((s) => s.cacheHitRatio) }]}
          format={percent}
          range={[0, 1]}
        />
        <Chart
          title="429s"
          times={times}
          series={[{ label: '429/min', values: pick((s) => s.tooManyPerMinute) }]}
          format={(v) => `${v.toFixed(0)}/min`}
          threshold={{ warn: 60, bad: 600, label: 'warn ≥ 60/min, bad ≥ 600/min' }}
        />
        <Chart
          title="Queues"
          times={times}
          series={[
            { label: 'waiting', values: pick((s) => s.queues?.waiting ?? null) },
            { label: 'failed', values: pick((s) => s.queues?.failed ?? null) },
          ]}
          format={count}
          threshold={{ warn: 100, bad: 1000, label: 'waiting warn ≥ 100, bad ≥ 1000' }}
        />
        <Chart title="Sockets" times={times} series={[{ label: 'open', values: pick((s) => s.sockets) }]} format={count} />
        <Chart
          title="Event-loop lag"
          times={times}
          series={[{ label: 'lag', values: pick((s) => s.eventLoopLagSeconds) }]}
          format={ms}
          threshold={{ warn: 0.05, bad: 0.2, label: 'warn ≥ 50 ms, bad ≥ 200 ms' }}
        />
        <Chart
          title="Registrations and actions"
          times={times}
          series={[
            { label: 'registrations/s', values: pick((s) => s.registrationsPerSecond) },
            { label: 'actions/s', values: pick((s) => s.actionsPerSecond) },
          ]}
          format={perSecond}
        />
      </div>
    </article>
  );
}
