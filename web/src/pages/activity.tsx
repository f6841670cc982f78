// My activity, newest first, a page at a time (the API's cursor).
import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, Navigate } from 'react-router';
import { api, call } from '../api/client';
import { productKeys, type ActivityPage } from '../api/products';
import { session } from '../api/session';
import { Button, Notice, Time } from '../components/ui';
import { useStore } from '../lib/store';

const PAGE = 20;
type Entry = ActivityPage['items'][number];

function describe(entry: Entry): ReactNode {
  const { kind, subject, details } = entry;
  switch (kind) {
    case 'ranking.submitted':
      return (
        <>
          Ranked <Link to={`/rankings/${encodeURIComponent(subject)}`}>{subject}</Link>
          {typeof details.products === 'number' && ` (${details.products} products)`}
        </>
      );
    case 'achievement.awarded':
      return <>Earned the achievement {typeof details.name === 'string' ? details.name : subject}</>;
    case 'action.completed':
      return <>Completed {subject}</>;
    case 'registration':
      return (
        <>
          <Link to={`/events/${subject}`}>Registration</Link> {typeof details.status === 'string' ? details.status : 'changed'}
        </>
      );
    default:
      return (
        <>
          {kind}: {subject}
        </>
      );
  }
}

export default function ActivityPageView() {
  const signedIn = useStore(session) !== null;
  const activity = useInfiniteQuery({
    queryKey: productKeys.activity,
    enabled: signedIn,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: ActivityPage) => last.nextCursor ?? undefined,
    queryFn: ({ pageParam }) => call(api.GET('/api/me/activity', { params: { query: { cursor: pageParam, limit: PAGE } } })),
  });

  if (!signedIn) return <Navigate to="/signin" state={{ from: '/me/activity' }} replace />;
  const entries = activity.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="stack">
      <h1>My activity</h1>
      {activity.isPending && <p>Loading your activity…</p>}
      {activity.error && (
        <Notice tone="bad" role="alert">
          Could not load your activity: {activity.error.message}
        </Notice>
      )}
      {activity.data && entries.length === 0 && <p>Nothing yet. Rank a category or register for an event, and it shows up here.</p>}
      <ol className="activity" data-testid="activity">
        {entries.map((entry) => (
          <li key={entry.id} className="card" data-kind={entry.kind}>
            <p>{describe(entry)}</p>
            <p className="muted">
              <Time at={entry.createdAt} />
            </p>
          </li>
        ))}
      </ol>
      {activity.hasNextPage && (
        <Button variant="secondary" onClick={() => void activity.fetchNextPage()} disabled={activity.isFetchingNextPage}>
          {activity.isFetchingNextPage ? 'Loading…' : 'Show older'}
        </Button>
      )}
    </section>
  );
}
