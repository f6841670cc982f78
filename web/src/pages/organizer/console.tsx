// The organizer console: my events, links to the quizzes and the trivia host console, and the editors
// for events, action types, achievements and polls.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError, call } from '../../api/client';
import { Button, Field, Notice } from '../../components/ui';
import { EventForm, type EventFields } from './event-form';
import { integer, text } from './forms';

const failure = (error: Error | null) =>
  error && (
    <Notice tone="bad" role="alert">
      {error instanceof ApiError ? error.message : 'Something went wrong. Please try again.'}
    </Notice>
  );

export default function OrganizerConsole() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const events = useQuery({
    queryKey: ['events', 'mine'],
    queryFn: () => call(api.GET('/api/events', { params: { query: { mine: true, limit: 100 } } })),
  });
  const create = useMutation({
    mutationFn: (body: EventFields & { slug: string }) => call(api.POST('/api/events', { body })),
    onSuccess: ({ event }) => {
      void queryClient.invalidateQueries({ queryKey: ['events'] });
      void navigate(`/organizer/events/${event.id}`);
    },
  });
  return (
    <article className="stack">
      <h1>Organizer console</h1>
      <section className="card">
        <h2>My events</h2>
        <ul>
          {events.data?.events.map((event) => (
            <li key={event.id}>
              <Link to={`/organizer/events/${event.id}`}>{event.title}</Link> ({event.status}, {event.counts.confirmed}/{event.capacity})
            </li>
          ))}
        </ul>
        {events.data?.events.length === 0 && <p>No events yet.</p>}
      </section>
      <section className="card">
        <h2>Trivia</h2>
        <p className="row">
          <Link to="/organizer/quizzes">Quizzes</Link>
          <Link to="/organizer/trivia">Host a game</Link>
        </p>
      </section>
      <details className="card">
        <summary>
          <h2 style={{ display: 'inline' }}>New event</h2>
        </summary>
        <EventForm submitLabel="Create event" busy={create.isPending} onSubmit={(fields) => create.mutate(fields)} />
        {failure(create.error)}
      </details>
      <ActionTypeEditor />
      <AchievementEditor />
      <PollEditor />
    </article>
  );
}

function ActionTypeEditor() {
  const types = useQuery({ queryKey: ['action-types'], queryFn: () => call(api.GET('/api/action-types')) });
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (form: FormData) =>
      call(api.POST('/api/action-types', { body: { key: text(form, 'key'), name: text(form, 'name'), baseScore: integer(form, 'baseScore') } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['action-types'] }),
  });
  return (
    <details className="card">
      <summary>
        <h2 style={{ display: 'inline' }}>Action types</h2>
      </summary>
      <ul>
        {(types.data?.actionTypes ?? []).map((type) => (
          <li key={type.id}>
            <span className="mono">{type.key}</span> {type.name}: {type.baseScore} points{type.active ? '' : ' (inactive)'}
          </li>
        ))}
      </ul>
      <SmallForm onSubmit={(form) => create.mutate(form)} submitLabel="Add action type" busy={create.isPending}>
        <Field label="Key" name="key" required />
        <Field label="Name" name="name" required />
        <Field label="Base score" name="baseScore" type="number" required defaultValue={10} />
      </SmallForm>
      {failure(create.error)}
    </details>
  );
}

function AchievementEditor() {
  const list = useQuery({ queryKey: ['achievements'], queryFn: () => call(api.GET('/api/achievements')) });
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (form: FormData) =>
      call(
        api.POST('/api/achievements', {
          body: {
            key: text(form, 'key'),
            name: text(form, 'name'),
            description: text(form, 'description'),
            condition: { type: 'score', board: text(form, 'board') || undefined, atLeast: integer(form, 'atLeast') },
          },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['achievements'] }),
  });
  return (
    <details className="card">
      <summary>
        <h2 style={{ display: 'inline' }}>Achievements</h2>
      </summary>
      <ul>
        {(list.data?.achievements ?? []).map((achievement) => (
          <li key={achievement.key}>
            <strong>{achievement.name}</strong>: {achievement.description}
          </li>
        ))}
      </ul>
      <SmallForm onSubmit={(form) => create.mutate(form)} submitLabel="Add achievement (score threshold)" busy={create.isPending}>
        <Field label="Key" name="key" required />
        <Field label="Name" name="name" required />
        <Field label="Description" name="description" required />
        <Field label="Board (empty: global)" name="board" />
        <Field label="Score at least" name="atLeast" type="number" min={1} required defaultValue={100} />
      </SmallForm>
      {failure(create.error)}
    </details>
  );
}

function PollEditor() {
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (form: FormData) => {
      const labels = text(form, 'items')
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      return call(
        api.POST('/api/polls', { body: { title: text(form, 'title'), items: labels.map((label, i) => ({ key: `item-${i + 1}`, label })) } }),
      );
    },
    onSuccess: ({ poll }) => setCreated(poll.id),
  });
  return (
    <details className="card">
      <summary>
        <h2 style={{ display: 'inline' }}>Polls</h2>
      </summary>
      <SmallForm onSubmit={(form) => create.mutate(form)} submitLabel="Create poll" busy={create.isPending}>
        <Field label="Title" name="title" required />
        <div className="field">
          <label htmlFor="poll-items">Items, one per line</label>
          <textarea id="poll-items" name="items" rows={4} required />
        </div>
      </SmallForm>
      {created && (
        <Notice tone="ok">
          Poll created: <Link to={`/polls/${created}`}>share this link</Link>
        </Notice>
      )}
      {failure(create.error)}
    </details>
  );
}

function SmallForm({
  children,
  onSubmit,
  submitLabel,
  busy,
}: {
  children: React.ReactNode;
  onSubmit: (form: FormData) => void;
  submitLabel: string;
  busy: boolean;
}) {
  return (
    <form
      className="stack"
      onSubmit={(event: FormEvent<HTMLFormElement>) => {
        event.preventDefault();
        onSubmit(new FormData(event.currentTarget));
      }}
    >
      {children}
      <Button type="submit" disabled={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}
