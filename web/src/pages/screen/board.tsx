// /screen/board/:name: the live top 10 for a projector. No sign-in (board channels are public);
// rows slide to their new places when ranks change (ranked-rows.tsx).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, call } from '../../api/client';
import { useLive, useLiveStatus } from '../../live/hooks';
import { RankedRows } from './ranked-rows';
import './screen.css';

const ROWS = 10;
const ROW_HEIGHT = 96;

interface Entry {
  rank: number;
  userId: string;
  handle: string;
  score: number;
}
interface Top {
  board: string;
  period: string;
  entries: Entry[];
  version?: number;
}

export default function ScreenBoardPage() {
  const { name = 'global' } = useParams();
  const queryClient = useQueryClient();
  const key = ['screen-board', name];
  const { data } = useQuery<Top>({
    queryKey: key,
    queryFn: () => call(api.GET('/api/leaderboards/{board}', { params: { path: { board: name }, query: { limit: ROWS, offset: 0 } } })),
  });
  useLive<Top>(`board:${name}`, 'leaderboard', (top) => {
    if (top.board !== name) return;
    queryClient.setQueryData<Top>(key, (old) => (old?.version !== undefined && top.version !== undefined && old.version > top.version ? old : top));
  });
  const live = useLiveStatus();
  const entries = (data?.entries ?? []).slice(0, ROWS);
  return (
    <main className="screen">
      <h1>{name === 'global' ? 'Leaderboard' : name}</h1>
      {data && entries.length === 0 && <p className="muted">No scores yet.</p>}
      <RankedRows
        rows={entries.map((entry) => ({ id: entry.userId, rank: entry.rank, name: entry.handle, score: entry.score }))}
        slots={ROWS}
        rowHeight={ROW_HEIGHT}
        label={`Top ${ROWS}`}
      />
      {!live.connected && live.everConnected && <p className="screen-status muted">Reconnecting… showing the last update</p>}
    </main>
  );
}
