// Rank a poll's items by dragging them, or with the keyboard (the shared RankList). Borda
// results update live on board:poll:<id>.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, useParams } from 'react-router';
import { api, ApiError, call } from '../api/client';
import { session } from '../api/session';
import { RankList } from '../components/rank-list';
import { Button, Notice } from '../components/ui';
import { useStore } from '../lib/store';
import { useLive } from '../live/hooks';

interface Results {
  pollId: string;
  version: number;
  voters: number;
  items: Array<{ key: string; label: string; bordaScore: number }>;
}

export default function PollPage() {
  const { id = '' } = useParams();
  const signedIn = useStore(session) !== null;
  const queryClient = useQueryClient();
  const poll = useQuery({ queryKey: ['poll', id], enabled: signedIn, queryFn: () => call(api.GET('/api/polls/{id}', { params: { path: { id } } })) });
  const results = useQuery<Results>({
    queryKey: ['poll', id, 'results'],
    enabled: signedIn,
    queryFn: () => call(api.GET('/api/polls/{id}/results', { params: { path: { id } } })),
  });
  useLive<Results>(`board:poll:${id}`, 'poll-results', (next) => {
    if (next.pollId !== id) return;
    queryClient.setQueryData<Results>(['poll', id, 'results'], (old) => (old && old.version > next.version ? old : next));
  });
  const [order, setOrder] = useState<string[] | null>(null);
  const submit = useMutation({
    mutationFn: (ranked: string[]) => call(api.POST('/api/polls/{id}/rankings', { params: { path: { id } }, body: { order: ranked } })),
  });

  if (!signedIn) return <Navigate to="/signin" state={{ from: `/polls/${id}` }} replace />;
  if (poll.isPending) return <p>Loading…</p>;
  if (poll.error) return <Notice tone="bad">This poll could not be loaded: {poll.error.message}</Notice>;
  const items = poll.data.poll.items;
  const current = order ?? items.map((item) => item.key);

  return (
    <article className="stack">
      <h1>{poll.data.poll.title}</h1>
      <section className="card stack">
        <h2>Your ranking</h2>
        <RankList items={items} order={current} onChange={setOrder} />
        <Button onClick={() => submit.mutate(current)} disabled={submit.isPending}>
          Submit my ranking
        </Button>
        {submit.isSuccess && <Notice tone="ok">Your ranking is in. You can change it and submit again.</Notice>}
        {submit.error && (
          <Notice tone="bad">{submit.error instanceof ApiError ? submit.error.message : 'Could not submit. Please try again.'}</Notice>
        )}
      </section>
      {results.data && (
        <section className="card">
          <h2>Live results ({results.data.voters} voters)</h2>
          <ol>
            {results.data.items.map((item) => (
              <li key={item.key}>
                {item.label}: <strong className="num">{item.bordaScore}</strong> points
              </li>
            ))}
          </ol>
        </section>
      )}
    </article>
  );
}
