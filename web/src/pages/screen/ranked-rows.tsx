// The top 10 of a big screen. Rows are rendered in a stable order (by id) so React keeps each
// row's element, and each is moved to its rank with a CSS transform: a rank change slides the row
// (about 300 ms) instead of re-drawing the list.
export interface RankedRow {
  id: string;
  rank: number;
  name: string;
  score: number;
}

/** `slots` rows of height are reserved, so the page does not shift as rows arrive. */
export function RankedRows({ rows, slots, rowHeight, label }: { rows: RankedRow[]; slots: number; rowHeight: number; label: string }) {
  return (
    <ol className="screen-board" style={{ height: slots * rowHeight }} aria-label={label} data-testid="screen-board">
      {[...rows]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((row) => (
          <li key={row.id} className="screen-row" style={{ transform: `translateY(${(row.rank - 1) * rowHeight}px)` }} data-rank={row.rank}>
            <span className="rank">{row.rank}</span>
            <span className="handle">{row.name}</span>
            <span className="score">{row.score.toLocaleString()}</span>
          </li>
        ))}
    </ol>
  );
}
