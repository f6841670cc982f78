// An ordered list the player reorders by dragging, or by keyboard (focus an item, then Alt+Arrow
// up or down, or its Up/Down buttons). Polls and category rankings share it; each move is
// announced to screen readers.
import { useState, type KeyboardEvent } from 'react';
import { moveItem } from '../lib/move-item';
import { Button } from './ui';

export interface RankItem {
  key: string;
  label: string;
}

export function RankList({ items, order, onChange }: { items: RankItem[]; order: string[]; onChange: (next: string[]) => void }) {
  const [dragging, setDragging] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const label = (key: string) => items.find((item) => item.key === key)?.label ?? key;

  function move(from: number, to: number) {
    const next = moveItem(order, from, to);
    if (next === order) return;
    onChange(next);
    setAnnouncement(`${label(order[from]!)} moved to position ${to + 1}`);
  }
  function onKey(event: KeyboardEvent<HTMLLIElement>, index: number) {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    const to = index + (event.key === 'ArrowUp' ? -1 : 1);
    const list = event.currentTarget.parentElement;
    move(index, to);
    // The moved item keeps the focus at its new place.
    requestAnimationFrame(() => (list?.querySelector(`[data-rank-index="${to}"]`) as HTMLElement | null)?.focus());
  }

  return (
    <>
      <p className="muted">Drag items, or focus one and press Alt+Arrow Up/Down.</p>
      <ol className="ranking">
        {order.map((key, index) => (
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
              disabled={index === order.length - 1}
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
    </>
  );
}
