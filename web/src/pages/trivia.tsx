// Trivia, player: join by PIN with a nickname (signing in as a guest first if needed), then
// lobby → question (shown at opensAt, countdown in server time) → answered (choice locked) →
// results (right or wrong, points, rank, top 5) → … → final standing. After a reload the page
// rebuilds itself from GET /api/games/:id/state; pushes keep it live.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, ApiError, call, idempotent } from '../api/client';
import { useIntentKeys } from '../api/hooks';
import { session, setSession } from '../api/session';
import { Button, Field, Notice } from '../components/ui';
import { useStore } from '../lib/store';
import { secondsUntil } from '../live/clock';
import { useLive, useServerNow } from '../live/hooks';

interface Question {
  seq: number;
  questionId: number;
  text: string;
  options?: string[] | null;
  opensAt: number;
  closesAt: number;
}
interface Standing {
  nickname: string;
  score: number;
  rank: number;
}
interface GameState {
  game: { id: string; title: string; status: string; seq: number; questionCount: number; players: number };
  question: Question | null;
  me: { nickname?: string; score?: number; rank?: number | null; answer?: { choice: unknown } | null } | null;
}
interface Result {
  gameId: string;
  seq: number;
  correct: boolean;
  points: number;
  score: number;
  rank: number;
}
interface Results {
  seq: number;
  top: Standing[];
}

const LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'];
const UNSENT = 'Your answer may not have reached the server. Check your connection and try again.';

function message(caught: unknown): string {
  return caught instanceof ApiError ? caught.message : 'Could not reach the server. Check your connection and try again.';
}

/** `/play`: the PIN and nickname form. */
export function JoinTrivia() {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const pin = String(form.get('pin') ?? '').trim();
    const nickname = String(form.get('nickname') ?? '').trim();
    setPending(true);
    setError(null);
    try {
      if (!session.get()) {
        const guest = await call(api.POST('/api/auth/guest', { body: { nickname } }));
        setSession({ token: guest.token, user: guest.user });
      }
      const joined = await call(api.POST('/api/games/{pin}/players', { params: { path: { pin } }, body: { nickname } }));
      void navigate(`/play/${joined.game.id}`);
    } catch (caught) {
      setError(message(caught));
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="card stack" onSubmit={(event) => void onSubmit(event)}>
      <h1>Join a game</h1>
      <Field label="Game PIN" name="pin" inputMode="numeric" autoComplete="off" required />
      <Field label="Your nickname" name="nickname" maxLength={30} required />
      <Button type="submit" disabled={pending}>
        Join
      </Button>
      {error && <Notice tone="bad">{error}</Notice>}
    </form>
  );
}

/** `/play/:id`: the game, as one player sees it. */
export default function TriviaPlayer() {
  const { id = '' } = useParams();
  const signedIn = useStore(session) !== null;
  const queryClient = useQueryClient();
  const now = useServerNow();
  const [result, setResult] = useState<Result | null>(null);
  const [top, setTop] = useState<Standing[]>([]);
  const [locked, setLocked] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const answerKey = useIntentKeys();
  const state = useQuery<GameState>({
    queryKey: ['trivia', id],
    enabled: signedIn,
    queryFn: () => call(api.GET('/api/games/{id}/state', { params: { path: { id } } })) as Promise<GameState>,
  });
  const refetch = () => void queryClient.invalidateQueries({ queryKey: ['trivia', id] });
  useLive<Question>(`game:${id}`, 'question', () => {
    setLocked(null);
    setResult(null);
    refetch();
  });
  useLive<Results>(`game:${id}`, 'results', (next) => {
    setTop(next.top.slice(0, 5));
    refetch();
  });
  useLive<{ top: Standing[] }>(`game:${id}`, 'ended', (next) => {
    setTop(next.top.slice(0, 5));
    refetch();
  });
  useLive<Result>(null, 'result', (next) => {
    if (next.gameId === id) setResult(next);
  });

  if (!signedIn) return <JoinTrivia />;
  if (state.isPending) return <p>Loading…</p>;
  if (state.error) return <Notice tone="bad">This game could not be loaded: {state.error.message}</Notice>;
  const { game, question, me } = state.data;

  async function answer(choice: number, retry = false) {
    if (!question || (locked !== null && !retry)) return;
    setLocked(choice);
    setError(null);
    // One answer per player per question. The page answers over HTTP, never the socket, and every
    // attempt at a question carries that question's Idempotency-Key: a double tap is stopped by
    // the lock, fetchWithRetry resends the same request on 429/503, and "Try again" after a lost
    // connection resends the same choice with the same key, so the server stores one answer and
    // replays its ack (it would also replay the same answer without a key, and refuse a different
    // one with ALREADY_ANSWERED).
    try {
      await call(
        api.POST('/api/games/{id}/answers', {
          params: { path: { id } },
          body: { questionId: question.questionId, choice },
          headers: idempotent(answerKey(`${id}/${question.questionId}`)),
        }),
      );
    } catch (caught) {
      if (caught instanceof ApiError) setError(caught.problem.code === 'ANSWER_TOO_LATE' ? "Time's up" : caught.message);
      else setError(UNSENT);
    }
  }

  const opened = question && question.opensAt <= now;
  const left = question ? secondsUntil(question.closesAt, now) : 0;
  const chosen = locked ?? (typeof me?.answer?.choice === 'number' ? me.answer.choice : null);

  return (
    <article className="stack" data-status={game.status}>
      <h1>{game.title}</h1>
      <p className="muted">
        {me?.nickname} · {game.players} players · score <span data-testid="score">{result?.score ?? me?.score ?? 0}</span>
      </p>
      {game.status === 'lobby' && <Notice tone="ok">You're in. The game starts when the host begins.</Notice>}
      {game.status === 'question' && question && !opened && <p>Get ready…</p>}
      {game.status === 'question' && question && opened && (
        <section className="card stack" data-testid="question">
          <h2>{question.text}</h2>
          <p aria-live="off">
            <span data-testid="countdown">{left}</span> s left
          </p>
          <div className="stack">
            {(question.options ?? []).map((option, index) => (
              <Button
                key={option}
                className={`answer answer-${index}`}
                style={{ minHeight: 48 }}
                disabled={chosen !== null || left === 0}
                aria-pressed={chosen === index}
                onClick={() => void answer(index)}
              >
                {LETTERS[index]}. {option}
              </Button>
            ))}
          </div>
          {chosen !== null && !error && <p data-testid="answered">Locked in. Waiting for others…</p>}
          {left === 0 && chosen === null && <p>Time's up</p>}
          {error && <Notice tone="warn">{error}</Notice>}
          {error === UNSENT && chosen !== null && left > 0 && (
            <Button variant="secondary" onClick={() => void answer(chosen, true)}>
              Try again
            </Button>
          )}
        </section>
      )}
      {(game.status === 'results' || game.status === 'ended') && (
        <section className="card stack" data-testid="results">
          {result && (
            <p>
              {result.correct ? 'Right!' : 'Not this time.'} +{result.points} · rank <span data-testid="rank">{result.rank}</span>
            </p>
          )}
          {!result && me?.rank != null && (
            <p>
              Your rank: <span data-testid="rank">{me.rank}</span>
            </p>
          )}
          {game.status === 'ended' && <h2>Final standing</h2>}
          {top.length > 0 && (
            <ol>
              {top.map((row) => (
                <li key={row.rank}>
                  {row.nickname} · {row.score}
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </article>
  );
}
