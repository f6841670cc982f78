// The header's health light, from /health/ready: ok, degraded (Redis down, serving from memory)
// or down (the database unreachable, or no answer).
import { useQuery } from '@tanstack/react-query';

type Health = 'ok' | 'degraded' | 'down';

async function readiness(): Promise<Health> {
  try {
    // Plain fetch: a 503 here is the answer, not something to retry.
    const response = await fetch('/health/ready', { cache: 'no-store' });
    const body = (await response.json()) as { status?: string };
    if (body.status === 'ready') return 'ok';
    return body.status === 'degraded' ? 'degraded' : 'down';
  } catch {
    return 'down';
  }
}

const LABELS: Record<Health, string> = { ok: 'All systems normal', degraded: 'Degraded: slower than usual', down: 'Service unavailable' };

export function HealthIndicator() {
  const { data } = useQuery({ queryKey: ['health'], queryFn: readiness, refetchInterval: 10_000 });
  if (!data) return null;
  return (
    <span className={`health ${data}`} role="status" title={LABELS[data]} data-testid="health">
      {data === 'ok' ? 'OK' : data === 'degraded' ? 'Degraded' : 'Down'}
      <span className="skip-link">{LABELS[data]}</span>
    </span>
  );
}
