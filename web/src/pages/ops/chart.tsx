// A small uPlot time series with its current value large beside it, coloured only by threshold.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Threshold {
  warn: number;
  bad: number;
  /** How the threshold reads beside the value, e.g. "warn > 1 %, bad > 5 %". */
  label: string;
}

interface Props {
  title: string;
  times: number[];
  series: Array<{ label: string; values: Array<number | null> }>;
  format: (value: number) => string;
  threshold?: Threshold;
  /** A fixed y range (ratios: [0, 1]); otherwise it follows the data. */
  range?: [number, number];
}

const STROKES = ['#1d4ed8', '#b45309', '#166534'];

export function toneOf(value: number | null | undefined, threshold?: Threshold): 'ok' | 'warn' | 'bad' | undefined {
  if (value === null || value === undefined || !threshold) return undefined;
  return value >= threshold.bad ? 'bad' : value >= threshold.warn ? 'warn' : 'ok';
}

export function Chart({ title, times, series, format, threshold, range }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const seriesCount = series.length;

  useEffect(() => {
    const element = container.current!;
    plot.current = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: 120,
        legend: { show: seriesCount > 1 },
        scales: range ? { y: { range } } : {},
        axes: [{}, { size: 72, values: (_u, splits) => splits.map((v) => format(v)) }],
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: STROKES[i % STROKES.length], width: 2 }))],
      },
      [[]],
      element,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(240, element.clientWidth), height: 120 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
    };
    // Built once per series shape (format and labels are fixed per chart); data goes through setData below.
  }, [seriesCount]);

  useEffect(() => {
    plot.current?.setData([times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  const current = series[0]?.values.at(-1);
  const tone = toneOf(current, threshold);
  return (
    <figure className="card ops-chart" aria-label={title}>
      <figcaption className="row">
        <strong>{title}</strong>
        <span className={`ops-value ${tone ? `notice ${tone}` : ''}`} data-testid={`ops-${title}`}>
          {current === null || current === undefined ? '–' : format(current)}
        </span>
        {threshold && <small className="muted">{threshold.label}</small>}
      </figcaption>
      <div ref={container} aria-hidden="true" />
    </figure>
  );
}
