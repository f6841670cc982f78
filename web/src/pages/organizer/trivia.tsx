// Trivia, host console: pick one of my quizzes, create a live game, show its PIN, and move it
// (start, next, close, end). The answered count is live from board:trivia:<id>, the channel the
// big screen follows too.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError, call } from '../../api/client';
import { Button, Notice } from '../../components/ui';
import { useLive } from '../../live/hooks';

type Move = 'start' | 'next' | 'close' | 'end';
interface Game {
  id: string;
  pin: string;
  title: string;
  status: string;
  seq: number;
  questionCount: number;
  players: number;
}

export default function TriviaHost() {
  const quizzes = useQuery({ queryKey: ['quizzes'], queryFn: () => call(api.GET('/api/quizzes')) });
  const [game, setGame] = useState<Game | null>(null);
  const [answered, setAnswered] = useState<{ seq: number; count: number } | null>(null);
  useLive<{ gameId: string; seq: number; count: number }>(game ? `board:trivia:${game.id}` : null, 'answered', (next) => {
    if (next.gameId === game?.id) setAnswered({ seq: next.seq, count: next.count });
  });
  const create = useMutation({
    mutationFn: async (quizId: string) => (await call(api.POST('/api/games', { body: { quizId, mode: 'live' } }))).game as Game,
    onSuccess: setGame,
  });
  const move = useMutation({
    mutationFn: async (action: Move) => {
      await call(api.POST(`/api/games/{id}/${action}`, { params: { path: { id: game!.id } } }));
      return (await call(api.GET('/api/games/{id}', { params: { path: { id: game!.id } } }))).game as Game;
    },
    onSuccess: setGame,
  });

  if (quizzes.isPending) return <p>Loading…</p>;
  if (quizzes.error) return <Notice tone="bad">Your quizzes could not be loaded: {quizzes.error.message}</Notice>;
  const error = create.error ?? move.error;

  return (
    <article className="stack">
      <h1>Host a trivia game</h1>
      {!game && (
        <section className="card stack">
          <h2>Pick a quiz</h2>
          {quizzes.data.quizzes.length === 0 && <p className="muted">No quizzes yet. Create one through the API (docs/trivia.md).</p>}
          {quizzes.data.quizzes.map((quiz) => (
            <Button key={quiz.id} variant="secondary" disabled={create.isPending} onClick={() => create.mutate(quiz.id)}>
              Start a game of {quiz.title}
            </Button>
          ))}
        </section>
      )}
      {game && (
        <section className="card stack" data-status={game.status}>
          <h2>{game.title}</h2>
          <p>
            PIN <strong data-testid="pin">{game.pin}</strong> · players join at <code>/play</code>
          </p>
          <p>
            {game.status} · question {Math.min(game.seq + 1, game.questionCount)} of {game.questionCount}
            {answered && answered.seq === game.seq && (
              <>
                {' '}
                · <span data-testid="answered-count">{answered.count}</span> answered
              </>
            )}
          </p>
          <div className="row">
            {(['start', 'next', 'close', 'end'] as const).map((action) => (
              <Button key={action} variant={action === 'end' ? 'secondary' : 'primary'} disabled={move.isPending} onClick={() => move.mutate(action)}>
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
