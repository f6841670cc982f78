// Rank a poll's items by dragging them, or with the keyboard (focus an item, then Alt+Arrow up
// or down, or its Up/Down buttons). Borda results update live on board:poll:<id>.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type KeyboardEvent } from 'react';
import { Navigate, useParams } from 'react-router';
import { api, ApiError, call } from '../api/client';
import { session } from '../api/session';
import { Button, Notice } from '../components/ui';
import { useStore } from '../lib/store';
import { useLive } from '../live/hooks';

interface Results {
  pollId: string;
  version: number;
  voters: number;
  items: Array<{ key: string; label: string; bordaScore: number }>;
}

export function moveItem<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return list;
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
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
  const [dragging, setDragging] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const submit = useMutation({
    mutationFn: (ranked: string[]) => call(api.POST('/api/polls/{id}/rankings', { params: { path: { id } }, body: { order: ranked } })),
  });

  if (!signedIn) return <Navigate to="/signin" state={{ from: `/polls/${id}` }} replace />;
  if (poll.isPending) return <p>Loading…</p>;
  if (poll.error) return <Notice tone="bad">This poll could not be loaded: {poll.error.message}</Notice>;
  const items = poll.data.poll.items;
  const current = order ?? items.map((item) => item.key);
  const label = (key: string) => items.find((item) => item.key === key)?.label ?? key;

  function move(from: number, to: number) {
    const next = moveItem(current, from, to);
    if (next === current) return;
    setOrder(next);
    setAnnouncement(`${label(current[from]!)} moved to position ${to + 1}`);
  }
  function onKey(event: KeyboardEvent, index: number) {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    const to = index + (event.key === 'ArrowUp' ? -1 : 1);
    move(index, to);
    requestAnimationFrame(() => (document.querySelector(`[data-rank-index="${to}"]`) as HTMLElement | null)?.focus());
  }

  return (
    <article className="stack">
      <h1>{poll.data.poll.title}</h1>
      <section className="card stack">
        <h2>Your ranking</h2>
        <p className="muted">Drag items, or focus one and press Alt+Arrow Up/Down.</p>
        <ol className="ranking">
          {current.map((key, index) => (
            <li
              key={key}
              draggable
              tabIndex={0}
              data-rank-index={index}
              className={dragging === index ? 'dragging' : undefined}
              onDragStart={() => setDragging(index)}
              onDragOver={(event) => event.preventDefault()}
              onDrop={() => {
                if (dragging !== null) move(dragging, index);
                setDragging(null);
              }}
              onDragEnd={() => setDragging(null)}
              onKeyDown={(event) => onKey(event, index)}
              aria-label={`${index + 1}. ${label(key)}`}
            >
              <span>
                {index + 1}. {label(key)}
              </span>
              <Button variant="secondary" aria-label={`Move ${label(key)} up`} disabled={index === 0} onClick={() => move(index, index - 1)}>
                ↑
              </Button>
              <Button
                variant="secondary"
                aria-label={`Move ${label(key)} down`}
                disabled={index === current.length - 1}
                onClick={() => move(index, index + 1)}
              >
                ↓
              </Button>
            </li>
          ))}
        </ol>
        <p className="skip-link" aria-live="polite">
          {announcement}
        </p>
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
