// Leaderboards: pick a board (global, per event, periodic), see its live top N, the time to the
// next reset, and (signed in) my rank with the five above and below.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, call } from '../api/client';
import { session } from '../api/session';
import { Countdown } from '../components/ui';
import { useStore } from '../lib/store';
import { useLive } from '../live/hooks';
import type { components } from '../api/schema';

type Entry = components['schemas']['LeaderboardEntry'];
const TOP = 10;

export default function LeaderboardsPage() {
  const { board } = useParams();
  const boards = useQuery({ queryKey: ['leaderboards'], queryFn: () => call(api.GET('/api/leaderboards')) });
  return (
    <section className="stack">
      <h1>Leaderboards</h1>
      <nav aria-label="Boards">
        <ul className="row" style={{ listStyle: 'none', padding: 0 }}>
          {(boards.data?.leaderboards ?? []).map((b) => (
            <li key={b.name}>
              <Link to={`/leaderboards/${encodeURIComponent(b.name)}`} aria-current={b.name === (board ?? 'global') ? 'page' : undefined}>
                {b.name}
                {b.reset !== 'never' ? ` (${b.reset})` : ''}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Board name={board ?? 'global'} />
    </section>
  );
}

function Board({ name }: { name: string }) {
  const queryClient = useQueryClient();
  const signedIn = useStore(session) !== null;
  const key = ['leaderboard', name];
  const top = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET('/api/leaderboards/{board}', { params: { path: { board: name }, query: { limit: TOP, offset: 0 } } })),
  });
  const me = useQuery({
    queryKey: ['leaderboard', name, 'me'],
    enabled: signedIn,
    queryFn: () => call(api.GET('/api/leaderboards/{board}/me', { params: { path: { board: name }, query: { around: 5 } } })),
  });
  useLive<{ board: string; period: string; entries: Entry[] }>(`board:${name}`, 'leaderboard', (push) => {
    if (push.board !== name) return;
    queryClient.setQueryData(key, (old: typeof top.data) => old && { ...old, period: push.period, entries: push.entries.slice(0, TOP) });
    // My own rank moves too; refetch it at most as often as the coalesced pushes arrive.
    if (signedIn) void queryClient.invalidateQueries({ queryKey: ['leaderboard', name, 'me'] });
  });
  const myId = useStore(session)?.user.id;

  return (
    <div className="stack">
      {top.data?.nextResetAt && (
        <p>
          Period {top.data.period}; resets in <Countdown deadline={top.data.nextResetAt} label="Time to the next reset" />.
        </p>
      )}
      <section className="card">
        <h2>Top {TOP}</h2>
        <RankTable entries={top.data?.entries ?? []} myId={myId} />
        {top.data && top.data.entries.length === 0 && <p>No scores yet.</p>}
      </section>
      {signedIn && me.data && (
        <section className="card">
          <h2>Around you</h2>
          {me.data.rank === null ? <p>You have no score on this board yet.</p> : <RankTable entries={me.data.entries} myId={myId} />}
        </section>
      )}
      <p>
        <Link to={`/screen/board/${encodeURIComponent(name)}`}>Open the big-screen view</Link>
      </p>
    </div>
  );
}

function RankTable({ entries, myId }: { entries: Entry[]; myId?: string }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Rank</th>
          <th scope="col">Player</th>
          <th scope="col">Score</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.userId} className={entry.userId === myId ? 'me' : undefined} aria-current={entry.userId === myId ? 'true' : undefined}>
            <td>{entry.rank}</td>
            <td>{entry.handle}</td>
            <td>{entry.score}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
