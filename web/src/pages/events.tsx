import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call } from '../api/client';
import { keys } from '../api/hooks';
import { Time } from '../components/ui';

const STATUS_LABEL = { scheduled: 'Opens soon', open: 'Open now', closed: 'Closed', drawn: 'Drawn' } as const;

export function EventsPage() {
  const { data, isPending, error } = useQuery({
    queryKey: keys.events,
    queryFn: () => call(api.GET('/api/events', { params: { query: { limit: 100 } } })),
  });
  const events = (data?.events ?? []).filter((event) => event.status === 'open' || event.status === 'scheduled' || event.status === 'drawn');
  return (
    <section>
      <h1>Events</h1>
      {isPending && <p>Loading events…</p>}
      {error && <p role="alert">Could not load the events: {error.message}</p>}
      {data && events.length === 0 && <p>No events are open or coming up right now.</p>}
      <ul className="stack" style={{ listStyle: 'none', padding: 0 }}>
        {events.map((event) => (
          <li key={event.id} className="card">
            <h2>
              <Link to={`/events/${event.id}`}>{event.title}</Link>
            </h2>
            <p className="row">
              <strong>{STATUS_LABEL[event.status]}</strong>
              {event.opensAt && event.status === 'scheduled' && (
                <span>
                  opens <Time at={event.opensAt} />
                </span>
              )}
              <span className="num">
                {event.counts.available} of {event.capacity} spots left
              </span>
              <span>{event.mode === 'lottery' ? 'Lottery' : 'First come, first served'}</span>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
