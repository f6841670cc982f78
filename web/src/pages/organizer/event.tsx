// One event for its organizer: edit, open, close and draw (each dangerous step names its
// consequence first), the registrations table (filtered and paginated by the server, CSV export)
// and the audit chain's verification.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, call } from '../../api/client';
import { keys, useEvent, type Registration } from '../../api/hooks';
import { session } from '../../api/session';
import { ConfirmButton } from '../../components/confirm';
import { Button, Notice } from '../../components/ui';
import { EventForm, type EventFields } from './event-form';

const PAGE = 25;
const STATUSES = ['confirmed', 'held', 'waitlisted', 'entered', 'expired', 'cancelled'] as const;

export default function OrganizerEventPage() {
  const { id = '' } = useParams();
  const event = useEvent(id);
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const done = (text: string) => () => {
    setMessage({ tone: 'ok', text });
    void queryClient.invalidateQueries({ queryKey: keys.event(id) });
    void queryClient.invalidateQueries({ queryKey: ['registrations', id] });
  };
  const failed = (error: Error) =>
    setMessage({ tone: 'bad', text: error instanceof ApiError ? error.message : 'Something went wrong. Please try again.' });
  const path = { params: { path: { id } } };
  const update = useMutation({
    mutationFn: ({ slug: _slug, ...body }: EventFields & { slug: string }) => call(api.PATCH('/api/events/{id}', { ...path, body })),
    onSuccess: done('Saved.'),
    onError: failed,
  });
  const open = useMutation({
    mutationFn: () => call(api.POST('/api/events/{id}/open', path)),
    onSuccess: done('Registration is open.'),
    onError: failed,
  });
  const close = useMutation({
    mutationFn: () => call(api.POST('/api/events/{id}/close', path)),
    onSuccess: done('Registration is closed.'),
    onError: failed,
  });
  const draw = useMutation({
    mutationFn: () => call(api.POST('/api/events/{id}/draw', path)),
    onSuccess: done('The draw is done and its proof published.'),
    onError: failed,
  });

  if (event.isPending) return <p>Loading…</p>;
  if (event.error) return <Notice tone="bad">{event.error.message}</Notice>;
  const view = event.data.event;
  return (
    <article className="stack">
      <h1>{view.title}</h1>
      <p>
        Status: <strong>{view.status}</strong>. <Link to={`/events/${view.id}`}>Player page</Link>
      </p>
      {message && (
        <Notice tone={message.tone} role="status">
          {message.text}
        </Notice>
      )}
      <section className="card row" aria-label="Actions">
        {view.status !== 'open' && (
          <Button onClick={() => open.mutate()} disabled={open.isPending}>
            Open registration
          </Button>
        )}
        {view.status === 'open' && (
          <ConfirmButton
            label="Close registration"
            consequence="Nobody can register after this. People already registered keep their places."
            confirmLabel="Close registration"
            onConfirm={() => close.mutate()}
          />
        )}
        {view.mode === 'lottery' && view.status === 'closed' && (
          <ConfirmButton
            label="Draw the lottery"
            consequence={`Draws ${view.capacity} winners among ${view.counts.entered} entrants and publishes the seed. This cannot be undone.`}
            confirmLabel="Draw now"
            onConfirm={() => draw.mutate()}
          />
        )}
      </section>
      <details className="card">
        <summary>
          <h2 style={{ display: 'inline' }}>Edit</h2>
        </summary>
        <EventForm event={view} submitLabel="Save changes" busy={update.isPending} onSubmit={(fields) => update.mutate(fields)} />
      </details>
      <RegistrationsTable eventId={id} />
      <AuditCheck eventId={id} />
    </article>
  );
}

function RegistrationsTable({ eventId }: { eventId: string }) {
  const [status, setStatus] = useState<(typeof STATUSES)[number] | ''>('');
  const [offset, setOffset] = useState(0);
  const query = { ...(status ? { status } : {}), limit: PAGE, offset };
  const list = useQuery({
    queryKey: ['registrations', eventId, status, offset],
    queryFn: () =>
      call(api.GET('/api/events/{id}/registrations', { params: { path: { id: eventId }, query } })) as Promise<{
        total: number;
        registrations: Registration[];
      }>,
  });

  async function exportCsv() {
    const search = new URLSearchParams(status ? { status } : {});
    const response = await fetch(`/api/events/${eventId}/registrations?${search}`, {
      headers: { accept: 'text/csv', authorization: `Bearer ${session.get()?.token ?? ''}` },
    });
    const url = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href: url, download: `registrations-${eventId}.csv` });
    link.click();
    URL.revokeObjectURL(url);
  }

  const total = list.data?.total ?? 0;
  return (
    <section className="card stack">
      <h2>Registrations</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="status-filter">Status</label>
          <select
            id="status-filter"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as typeof status);
              setOffset(0);
            }}
          >
            <option value="">All</option>
            {STATUSES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </div>
        <Button variant="secondary" onClick={() => void exportCsv()}>
          Export CSV
        </Button>
      </div>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Player</th>
              <th scope="col">Status</th>
              <th scope="col">Payment</th>
              <th scope="col">Registered</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.registrations.map((registration) => (
              <tr key={registration.id}>
                <td>{registration.seq}</td>
                <td>{registration.handle ?? registration.userId}</td>
                <td>{registration.status}</td>
                <td>{registration.paymentStatus}</td>
                <td>{new Date(registration.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row">
        <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </Button>
        <span className="num">
          {total === 0 ? 0 : offset + 1}–{Math.min(total, offset + PAGE)} of {total}
        </span>
        <Button variant="secondary" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
          Next
        </Button>
      </div>
    </section>
  );
}

function AuditCheck({ eventId }: { eventId: string }) {
  const verify = useMutation({ mutationFn: () => call(api.GET('/api/events/{id}/audit/verify', { params: { path: { id: eventId } } })) });
  return (
    <section className="card stack">
      <h2>Audit log</h2>
      <p>Every change to this event is chained by hashes; a changed or missing entry breaks the chain.</p>
      <Button variant="secondary" onClick={() => verify.mutate()} disabled={verify.isPending}>
        Verify the audit chain
      </Button>
      {verify.data && (
        <Notice tone={verify.data.ok ? 'ok' : 'bad'} role="status">
          {verify.data.ok ? `Intact: ${verify.data.entries} entries.` : `Broken at entry ${verify.data.brokenAt}: ${verify.data.reason}`}
        </Notice>
      )}
    </section>
  );
}
