'use client';

import { useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { FREQ_TICKS_HZ, formatHz, frequencyOfX, linePath, niceRange, xOfFrequency, yOfDb } from './chartScale';

export interface TonalSeries {
  id: string;
  label: string;
  color: string;
  tonal: { centresHz: number[]; midDb: (number | null)[]; sideDb: (number | null)[] };
}

export interface EqOverlay {
  frequenciesHz: number[];
  gainDb: number[];
  bands: { frequencyHz: number; gainDb: number; type: string }[];
}

const W = 720;
const H = 240;
const PAD = { left: 40, right: 40, top: 10, bottom: 24 };
const EQ_RANGE_DB = 12;

/**
 * Mix vs master vs reference, mid and side, in dB relative to each source's integrated loudness over log frequency:
 * differences in level drop out and only the balance is compared. An EQ curve (and draggable band handles) can be
 * drawn on its own ±12 dB axis on the right.
 */
export function TonalBalanceChart(props: {
  series: TonalSeries[];
  eq?: EqOverlay | null;
  onBandDrag?: (index: number, band: { frequencyHz: number; gainDb: number }) => void;
  /** Controlled channel (the settings panel edits the same channel's bands); uncontrolled when absent. */
  channel?: 'mid' | 'side';
  onChannelChange?: (channel: 'mid' | 'side') => void;
}) {
  const [ownChannel, setOwnChannel] = useState<'mid' | 'side'>('mid');
  const channel = props.channel ?? ownChannel;
  const setChannel = (c: 'mid' | 'side') => (props.onChannelChange ? props.onChannelChange(c) : setOwnChannel(c));
  const svg = useRef<SVGSVGElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const values = props.series.flatMap((s) => (channel === 'mid' ? s.tonal.midDb : s.tonal.sideDb));
  const [minDb, maxDb] = niceRange(values);
  const gridDb: number[] = [];
  for (let v = minDb; v <= maxDb; v += 6) gridDb.push(v);

  /**
   * A handle drag follows the pointer on the window until the button is released, so leaving the chart or the
   * handle mid-drag does not drop it; each move reports through the newest props (the draft changes as it goes).
   */
  const startDrag = (index: number, down: ReactPointerEvent) => {
    if (!props.onBandDrag || !svg.current) return;
    down.preventDefault();
    const move = (event: PointerEvent) => {
      const rect = svg.current?.getBoundingClientRect();
      if (!rect) return;
      const x = ((event.clientX - rect.left) / rect.width) * W - PAD.left;
      const y = ((event.clientY - rect.top) / rect.height) * H - PAD.top;
      const frequencyHz = Math.round(frequencyOfX(x, innerW));
      const gainDb = Math.round((EQ_RANGE_DB - (Math.min(innerH, Math.max(0, y)) / innerH) * 2 * EQ_RANGE_DB) * 10) / 10;
      latest.current.onBandDrag?.(index, { frequencyHz, gainDb });
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', up);
  };

  return (
    <div className="chart" data-testid="tonal-chart">
      <div className="chart-head">
        <strong>Tonal balance</strong>
        <div className="segmented" role="group" aria-label="Channel">
          {(['mid', 'side'] as const).map((c) => (
            <button key={c} type="button" className={channel === c ? 'on' : ''} aria-pressed={channel === c} onClick={() => setChannel(c)}>
              {c === 'mid' ? 'Mid' : 'Side'}
            </button>
          ))}
        </div>
        <div className="legend">
          {props.series.map((s) => (
            <span key={s.id}>
              <i style={{ background: s.color }} /> {s.label}
            </span>
          ))}
          {props.eq && (
            <span>
              <i style={{ background: '#ffffff' }} /> EQ
            </span>
          )}
        </div>
      </div>
      <svg
        ref={svg}
        viewBox={`0 0 ${W} ${H}`}
        className="chart-svg"
        role="img"
        aria-label={`Tonal balance (${channel}) of ${props.series.map((s) => s.label).join(', ')}`}
      >
        <g transform={`translate(${PAD.left},${PAD.top})`}>
          {FREQ_TICKS_HZ.map((f) => (
            <g key={f}>
              <line x1={xOfFrequency(f, innerW)} x2={xOfFrequency(f, innerW)} y1={0} y2={innerH} className="grid" />
              <text x={xOfFrequency(f, innerW)} y={innerH + 16} className="tick" textAnchor="middle">
                {formatHz(f)}
              </text>
            </g>
          ))}
          {gridDb.map((v) => (
            <g key={v}>
              <line x1={0} x2={innerW} y1={yOfDb(v, minDb, maxDb, innerH)} y2={yOfDb(v, minDb, maxDb, innerH)} className="grid" />
              <text x={-6} y={yOfDb(v, minDb, maxDb, innerH) + 4} className="tick" textAnchor="end">
                {v}
              </text>
            </g>
          ))}
          {props.series.map((s) => (
            <path
              key={s.id}
              d={linePath(s.tonal.centresHz.map((f, i) => {
                const v = channel === 'mid' ? s.tonal.midDb[i] : s.tonal.sideDb[i];
                return { x: xOfFrequency(f, innerW), y: v === null ? null : yOfDb(v, minDb, maxDb, innerH) };
              }))}
              stroke={s.color}
              strokeWidth={2}
              fill="none"
              data-series={s.id}
            />
          ))}
          {props.eq && (
            <g className="eq-overlay">
              <line x1={0} x2={innerW} y1={innerH / 2} y2={innerH / 2} stroke="#ffffff" strokeOpacity={0.25} strokeDasharray="2 4" />
              {[-EQ_RANGE_DB, -6, 6, EQ_RANGE_DB].map((v) => (
                <text key={v} x={innerW + 6} y={yOfDb(v, -EQ_RANGE_DB, EQ_RANGE_DB, innerH) + 4} className="tick">
                  {v > 0 ? `+${v}` : v}
                </text>
              ))}
              <path
                d={linePath(props.eq.frequenciesHz.map((f, i) => ({ x: xOfFrequency(f, innerW), y: yOfDb(props.eq!.gainDb[i], -EQ_RANGE_DB, EQ_RANGE_DB, innerH) })))}
                stroke="#ffffff"
                strokeWidth={1.5}
                strokeDasharray="6 3"
                fill="none"
              />
              {props.eq.bands.map((b, i) => (
                <circle
                  key={i}
                  cx={xOfFrequency(b.frequencyHz, innerW)}
                  cy={yOfDb(b.gainDb, -EQ_RANGE_DB, EQ_RANGE_DB, innerH)}
                  r={7}
                  className={props.onBandDrag ? 'eq-handle editable' : 'eq-handle'}
                  data-testid="eq-handle"
                  onPointerDown={(e) => startDrag(i, e)}
                >
                  <title>{`${b.type} ${formatHz(b.frequencyHz)} Hz ${b.gainDb > 0 ? '+' : ''}${b.gainDb} dB`}</title>
                </circle>
              ))}
            </g>
          )}
        </g>
      </svg>
      <div className="subtle">dB relative to each source&apos;s integrated loudness · 1/6 octave</div>
    </div>
  );
}
