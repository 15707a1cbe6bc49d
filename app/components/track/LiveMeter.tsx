'use client';

import { useEffect, useRef, useState } from 'react';
import type { MeterReading, SyncedPlayer } from './syncedPlayer';

const FLOOR_DB = -48;
const READ_MS = 66;
const PEAK_HOLD_MS = 1500;

function pct(db: number): number {
  if (!Number.isFinite(db)) return 0;
  return Math.max(0, Math.min(100, ((db - FLOOR_DB) / -FLOOR_DB) * 100));
}

function show(db: number | undefined, digits = 1): string {
  return db === undefined || !Number.isFinite(db) || db < -99 ? '—' : db.toFixed(digits);
}

/**
 * The live meter of what is playing: momentary and short-term loudness (BS.1770 K-weighted, read from the player's
 * output) and sample peaks per channel with a hold. It shows the audible source's own level, so a loudness-matched
 * comparison does not make every source read the same.
 */
export function LiveMeter({ player, playing, sourceLabel }: { player: SyncedPlayer; playing: boolean; sourceLabel: string | null }) {
  const [reading, setReading] = useState<MeterReading | null>(null);
  const hold = useRef<{ db: number; at: number }[]>([]);
  const [held, setHeld] = useState<number[]>([]);

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const r = player.readMeter();
      if (!r) return;
      const now = performance.now();
      hold.current = r.peakDb.map((db, ch) => {
        const h = hold.current[ch];
        return !h || db >= h.db || now - h.at > PEAK_HOLD_MS ? { db, at: now } : h;
      });
      setHeld(hold.current.map((h) => h.db));
      setReading(r);
    }, READ_MS);
    return () => clearInterval(timer);
  }, [player, playing]);

  const rows: { label: string; value: number | undefined; unit: string; peak?: number; testId: string }[] = [
    { label: 'M', value: reading?.momentaryLufs, unit: 'LUFS', testId: 'meter-momentary' },
    { label: 'S', value: reading?.shortTermLufs, unit: 'LUFS', testId: 'meter-short-term' },
    { label: 'L', value: reading?.peakDb[0], unit: 'dBFS', peak: held[0], testId: 'meter-peak-left' },
    { label: 'R', value: reading?.peakDb[1], unit: 'dBFS', peak: held[1], testId: 'meter-peak-right' },
  ];
  return (
    <div className={`live-meter${playing ? '' : ' idle'}`} data-testid="live-meter" title="Live meter of the source you hear (its own level, before the loudness match)">
      <div className="live-meter-head">
        <strong>Live</strong> <span className="subtle">{sourceLabel ?? ''}</span>
      </div>
      {rows.map((r) => (
        <div key={r.label} className="live-meter-row">
          <span className="live-meter-label">{r.label}</span>
          <div className={`live-meter-bar ${r.unit === 'LUFS' ? 'loudness' : 'peak'}`}>
            <div style={{ width: `${pct(r.value ?? -Infinity)}%` }} />
            {r.peak !== undefined && Number.isFinite(r.peak) && <i style={{ left: `${pct(r.peak)}%` }} />}
          </div>
          <span className="live-meter-value" data-testid={r.testId} data-value={r.value !== undefined && Number.isFinite(r.value) ? r.value.toFixed(2) : ''}>
            {show(r.peak ?? r.value)} <em>{r.unit}</em>
          </span>
        </div>
      ))}
    </div>
  );
}
