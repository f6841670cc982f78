// /screen/trivia/:pin: a trivia game on a projector, with no sign-in; the PIN in the URL is the
// whole configuration. The lobby shows the PIN and where to join; then the question at opensAt
// with a countdown bar in server time, the live answered count, the answer distribution once the
// question is scored (right answer marked), and the top 10. The page loads the public view
// (GET /api/games/:id/screen, which never holds an answer before results) and follows the public
// board:trivia:<id> channel; after a reconnect the app refetches it, so nothing stale stays up.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { api, ApiError, call } from '../../api/client';
import { secondsUntil } from '../../live/clock';
import { useLive, useLiveStatus, useServerNow } from '../../live/hooks';
import { serverNow } from '../../live/socket';
import { Distribution } from './distribution';
import { RankedRows } from './ranked-rows';
import './screen.css';

const ROWS = 10;
const ROW_HEIGHT = 80;
/** Nothing pushes joins to the screen: in the lobby it re-reads the player count this often. */
const LOBBY_REFRESH_MS = 3_000;

const fetchScreen = (id: string) => call(api.GET('/api/games/{id}/screen', { params: { path: { id } } }));
type Screen = Awaited<ReturnType<typeof fetchScreen>>;
type Question = NonNullable<Screen['question']>;
type Results = NonNullable<Screen['results']>;

/** True from `at` (server clock) on, re-rendering at that moment rather than on the next second's tick. */
function useReached(at: number | undefined): boolean {
  const [, setTick] = useState(0);
  const reached = at === undefined || serverNow() >= at;
  useEffect(() => {
    if (reached || at === undefined) return;
    const timer = setTimeout(() => setTick((tick) => tick + 1), at - serverNow());
    return () => clearTimeout(timer);
  }, [at, reached]);
  return reached;
}

export default function ScreenTriviaPage() {
  const { pin = '' } = useParams();
  const queryClient = useQueryClient();
  // A refetch after the game ended is a 404 (the PIN is free again); the game found first stays.
  const byPin = useQuery({
    queryKey: ['screen-trivia-pin', pin],
    queryFn: () => call(api.GET('/api/games/pin/{pin}', { params: { path: { pin } } })),
  });
  const id = byPin.data?.game.id;
  const key = ['screen-trivia', id];
  const view = useQuery({
    queryKey: key,
    enabled: id !== undefined,
    queryFn: () => fetchScreen(id!),
    refetchInterval: (query) => (query.state.data?.game.status === 'lobby' ? LOBBY_REFRESH_MS : false),
  });
  const patch = (change: (old: Screen) => Screen) => queryClient.setQueryData<Screen>(key, (old) => old && change(old));
  const channel = id ? `board:trivia:${id}` : null;
  useLive<Question>(channel, 'question', (question) =>
    patch((old) => ({ ...old, game: { ...old.game, status: 'question', seq: question.seq }, question, answered: 0, results: null })),
  );
  // Counts are coalesced and only grow; a late one never lowers the number shown.
  useLive<{ seq: number; count: number }>(channel, 'answered', ({ seq, count }) =>
    patch((old) => (old.question?.seq === seq ? { ...old, answered: Math.max(old.answered ?? 0, count) } : old)),
  );
  useLive<Results>(channel, 'results', (results) =>
    patch((old) => ({ ...old, game: { ...old.game, status: 'results', seq: results.seq }, question: null, results, top: results.top })),
  );
  // Ending scores a question still open: the view is re-read for its results.
  useLive<{ top: Screen['top'] }>(channel, 'ended', ({ top }) => {
    patch((old) => ({ ...old, game: { ...old.game, status: 'ended' }, question: null, top }));
    void queryClient.invalidateQueries({ queryKey: key });
  });
  useLive(channel, 'paused', () => void queryClient.invalidateQueries({ queryKey: key }));
  const live = useLiveStatus();

  if (byPin.error && !byPin.data) {
    const missing = byPin.error instanceof ApiError && (byPin.error.problem.status === 404 || byPin.error.problem.status === 400);
    return (
      <main className="screen">
        <h1>{missing ? `No game with PIN ${pin}` : 'Cannot reach the server'}</h1>
        <p className="muted">{missing ? 'Check the PIN in the address, or start the game from the host console.' : 'Trying again…'}</p>
      </main>
    );
  }
  if (!view.data) return <main className="screen" aria-busy="true" />;
  const { game, question, answered, results, top } = view.data;

  return (
    <main className="screen screen-trivia" data-status={game.status}>
      <header className="screen-trivia-header">
        <h1>{game.title}</h1>
        <p className="muted">
          Join at <strong>{window.location.host}/play</strong> · PIN <strong data-testid="screen-pin">{game.pin}</strong>
        </p>
      </header>
      <div className="screen-trivia-body">
        <section className="screen-trivia-main">
          {game.status === 'lobby' && <Lobby pin={game.pin} players={game.players} />}
          {question && <OpenQuestion question={question} answered={answered ?? 0} paused={game.status === 'paused'} />}
          {results && !question && <Distribution results={results} />}
          {game.status === 'ended' && <p className="screen-trivia-final">Final standing</p>}
        </section>
        <section aria-label="Top 10">
          {top.length > 0 && (
            <RankedRows
              rows={top.map((entry) => ({ id: entry.userId, rank: entry.rank, name: entry.nickname, score: entry.score }))}
              slots={ROWS}
              rowHeight={ROW_HEIGHT}
              label={`Top ${ROWS}`}
            />
          )}
        </section>
      </div>
      {!live.connected && live.everConnected && <p className="screen-status muted">Reconnecting… showing the last update</p>}
    </main>
  );
}

function Lobby({ pin, players }: { pin: string; players: number }) {
  return (
    <div className="screen-trivia-lobby">
      <p>Join at {window.location.host}/play with the PIN</p>
      <p className="screen-trivia-pin">{pin}</p>
      <p>
        <span data-testid="screen-players">{players}</span> {players === 1 ? 'player' : 'players'} in
      </p>
    </div>
  );
}

function OpenQuestion({ question, answered, paused }: { question: Question; answered: number; paused: boolean }) {
  const opened = useReached(question.opensAt);
  const now = useServerNow();
  if (!opened) return <p className="screen-trivia-ready">Question {question.seq + 1}: get ready…</p>;
  const total = question.closesAt - question.opensAt;
  const left = Math.max(0, question.closesAt - now);
  return (
    <div data-testid="screen-question">
      <p className="muted">
        Question {question.seq + 1} of {question.questionCount}
      </p>
      <h2 className="screen-trivia-question">{question.text}</h2>
      {paused ? (
        <p className="screen-trivia-ready">Paused</p>
      ) : (
        <div className="screen-countdown" role="timer" aria-label={`${secondsUntil(question.closesAt, now)} seconds left`}>
          <div className="screen-countdown-bar" style={{ width: `${(left / total) * 100}%` }} />
          <span>{secondsUntil(question.closesAt, now)} s</span>
        </div>
      )}
      <ol className="screen-options">
        {question.options.map((option, index) => (
          <li key={index} className={`screen-option option-${index}`}>
            <span className="letter">{String.fromCharCode(65 + index)}</span> {option}
          </li>
        ))}
      </ol>
      <p className="screen-answered">
        <span data-testid="screen-answered">{answered}</span> answered
      </p>
    </div>
  );
}
