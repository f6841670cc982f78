// Trivia, host console: pick one of my quizzes, create a live game, show its PIN and the big
// screen's link, and move it (start, next, close, end). It follows board:trivia:<id>, the channel
// the big screen follows too: the answered count live, and the game re-read when a question
// opens, its results come (the schedule scores it after the grace period) or the game ends.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, ApiError, call } from '../../api/client';
import { Button, Notice } from '../../components/ui';
import { useLive } from '../../live/hooks';

const LOBBY_REFRESH_MS = 3_000;
type Move = 'start' | 'next' | 'close' | 'end';
const MOVES: Move[] = ['start', 'next', 'close', 'end'];
/** The moves the game's state allows; the others are disabled rather than answered with 409. */
const ALLOWED: Record<string, Move[]> = { lobby: ['start', 'end'], question: ['close', 'end'], results: ['next', 'end'], paused: ['end'] };

export default function TriviaHost() {
  const queryClient = useQueryClient();
  const quizzes = useQuery({ queryKey: ['quizzes'], queryFn: () => call(api.GET('/api/quizzes')) });
  const [gameId, setGameId] = useState<string | null>(null);
  const gameKey = ['host-game', gameId];
  const game = useQuery({
    queryKey: gameKey,
    enabled: gameId !== null,
    queryFn: async () => (await call(api.GET('/api/games/{id}', { params: { path: { id: gameId! } } }))).game,
    // Joins are not pushed: in the lobby the player count is re-read.
    refetchInterval: (query) => (query.state.data?.status === 'lobby' ? LOBBY_REFRESH_MS : false),
  });
  const [answered, setAnswered] = useState<{ seq: number; count: number } | null>(null);
  const channel = gameId ? `board:trivia:${gameId}` : null;
  const reread = () => void queryClient.invalidateQueries({ queryKey: gameKey });
  useLive<{ gameId: string; seq: number; count: number }>(channel, 'answered', (next) => {
    if (next.gameId === gameId) setAnswered((old) => (old?.seq === next.seq && old.count > next.count ? old : { seq: next.seq, count: next.count }));
  });
  useLive(channel, 'question', reread);
  useLive(channel, 'results', reread);
  useLive(channel, 'ended', reread);
  const create = useMutation({
    mutationFn: async (quizId: string) => (await call(api.POST('/api/games', { body: { quizId, mode: 'live' } }))).game,
    onSuccess: (created) => {
      queryClient.setQueryData(['host-game', created.id], created);
      setGameId(created.id);
    },
  });
  const move = useMutation({
    mutationFn: async (action: Move) => (await call(api.POST(`/api/games/{id}/${action}`, { params: { path: { id: gameId! } } }))).game,
    onSuccess: (moved) => queryClient.setQueryData(gameKey, moved),
  });

  if (quizzes.isPending) return <p>Loading…</p>;
  if (quizzes.error) return <Notice tone="bad">Your quizzes could not be loaded: {quizzes.error.message}</Notice>;
  const error = create.error ?? move.error ?? game.error;
  const current = game.data;

  return (
    <article className="stack">
      <h1>Host a trivia game</h1>
      {!gameId && (
        <section className="card stack">
          <h2>Pick a quiz</h2>
          <p>
            <Link to="/organizer/quizzes">Create, edit, import or export quizzes</Link>
          </p>
          {quizzes.data.quizzes.length === 0 && (
            <p className="muted">
              No quizzes yet. <Link to="/organizer/quizzes/new">Create one</Link> or import one.
            </p>
          )}
          {quizzes.data.quizzes.map((quiz) => (
            <Button key={quiz.id} variant="secondary" disabled={create.isPending} onClick={() => create.mutate(quiz.id)}>
              Start a game of {quiz.title}
            </Button>
          ))}
        </section>
      )}
      {current && (
        <section className="card stack" data-status={current.status}>
          <h2>{current.title}</h2>
          <p>
            PIN <strong data-testid="pin">{current.pin}</strong> · players join at <code>/play</code> · big screen{' '}
            <a href={`/screen/trivia/${current.pin}`} target="_blank" rel="noreferrer">
              /screen/trivia/{current.pin}
            </a>
          </p>
          <p>
            <span data-testid="host-status">{current.status}</span> · question {Math.max(1, Math.min(current.seq + 1, current.questionCount))} of{' '}
            {current.questionCount} · {current.players} players
            {answered && answered.seq === current.seq && current.status !== 'lobby' && (
              <>
                {' '}
                · <span data-testid="answered-count">{answered.count}</span> answered
              </>
            )}
          </p>
          <div className="row">
            {MOVES.map((action) => (
              <Button
                key={action}
                variant={action === 'end' ? 'secondary' : 'primary'}
                disabled={move.isPending || !(ALLOWED[current.status] ?? []).includes(action)}
                onClick={() => move.mutate(action)}
              >
                {action[0]!.toUpperCase() + action.slice(1)}
              </Button>
            ))}
          </div>
        </section>
      )}
      {error && <Notice tone="bad">{error instanceof ApiError ? error.message : 'Could not reach the server. Please try again.'}</Notice>}
    </article>
  );
}
