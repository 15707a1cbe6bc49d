'use client';

import { linePath, niceRange, yOfDb } from './chartScale';

export interface LoudnessSeries {
  id: string;
  label: string;
  color: string;
  curve: { hopSeconds: number; lufs: (number | null)[] };
}

const W = 720;
const H = 170;
const PAD = { left: 40, right: 12, top: 10, bottom: 22 };

function formatTime(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s - m * 60)).padStart(2, '0')}`;
}

/** Short-term loudness (3 s window) over time for the selected sources, with the playhead; click to seek. */
export function LoudnessChart(props: { series: LoudnessSeries[]; durationSeconds: number; currentTimeSeconds: number; onSeek?: (t: number) => void }) {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const duration = Math.max(
    1,
    props.durationSeconds,
    ...props.series.map((s) => s.curve.lufs.length * s.curve.hopSeconds),
  );
  const [minDb, maxDb] = niceRange(props.series.flatMap((s) => s.curve.lufs), 6, [-36, 0]);
  const x = (t: number) => (t / duration) * innerW;
  const grid: number[] = [];
  for (let v = minDb; v <= maxDb; v += 6) grid.push(v);
  const tickStep = duration > 300 ? 60 : duration > 60 ? 15 : duration > 20 ? 5 : 2;
  const ticks: number[] = [];
  for (let t = 0; t <= duration; t += tickStep) ticks.push(t);

  return (
    <div className="chart" data-testid="loudness-chart">
      <div className="chart-head">
        <strong>Loudness over time</strong>
        <span className="subtle">short-term LUFS</span>
        <div className="legend">
          {props.series.map((s) => (
            <span key={s.id}>
              <i style={{ background: s.color }} /> {s.label}
            </span>
          ))}
        </div>
      </div>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="chart-svg"
        role="img"
        aria-label="Short-term loudness over time"
        onClick={(e) => {
          if (!props.onSeek) return;
          const rect = e.currentTarget.getBoundingClientRect();
          const px = ((e.clientX - rect.left) / rect.width) * W - PAD.left;
          props.onSeek(Math.max(0, Math.min(duration, (px / innerW) * duration)));
        }}
      >
        <g transform={`translate(${PAD.left},${PAD.top})`}>
          {grid.map((v) => (
            <g key={v}>
              <line x1={0} x2={innerW} y1={yOfDb(v, minDb, maxDb, innerH)} y2={yOfDb(v, minDb, maxDb, innerH)} className="grid" />
              <text x={-6} y={yOfDb(v, minDb, maxDb, innerH) + 4} className="tick" textAnchor="end">
                {v}
              </text>
            </g>
          ))}
          {ticks.map((t) => (
            <text key={t} x={x(t)} y={innerH + 16} className="tick" textAnchor="middle">
              {formatTime(t)}
            </text>
          ))}
          {props.series.map((s) => (
            <path
              key={s.id}
              d={linePath(s.curve.lufs.map((v, i) => ({ x: x((i + 0.5) * s.curve.hopSeconds), y: v === null ? null : yOfDb(v, minDb, maxDb, innerH) })))}
              stroke={s.color}
              strokeWidth={1.8}
              fill="none"
            />
          ))}
          <line x1={x(props.currentTimeSeconds)} x2={x(props.currentTimeSeconds)} y1={0} y2={innerH} stroke="#fff" strokeWidth={1.5} />
        </g>
      </svg>
    </div>
  );
}
