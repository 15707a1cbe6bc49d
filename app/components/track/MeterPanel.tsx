'use client';

import type { Measurements } from '@/lib/server/projects/versions';

export interface MeterRow {
  id: string;
  label: string;
  color: string;
  measurements: Measurements | null;
  /** Gain the loudness-matched comparison applies to this source. */
  matchGainDb: number | null;
  active: boolean;
}

export function fmt(v: number | null | undefined, digits = 1, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v > 0 && unit === ' dB' ? '+' : ''}${v.toFixed(digits)}${unit}`;
}

/** Width as people say it: side relative to mid. */
export function widthLabel(sideToMidDb: number | null | undefined): string {
  if (sideToMidDb === null || sideToMidDb === undefined || !Number.isFinite(sideToMidDb)) return '—';
  return `${sideToMidDb.toFixed(1)} dB S/M`;
}

export function MeterPanel({ rows, loudnessMatched }: { rows: MeterRow[]; loudnessMatched: boolean }) {
  return (
    <div className="chart" data-testid="meter-panel">
      <div className="chart-head">
        <strong>Meters</strong>
        <span className="subtle">EBU R128 · true peak 4× oversampled</span>
      </div>
      <table className="meters">
        <thead>
          <tr>
            <th />
            <th title="Integrated loudness">LUFS-I</th>
            <th title="Loudness range">LRA</th>
            <th title="True peak">TP</th>
            <th title="Peak to loudness ratio">PLR</th>
            <th title="Stereo width: side energy relative to mid">Width</th>
            <th title="Gain applied for the loudness-matched comparison">Match</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className={r.active ? 'active' : ''} data-testid="meter-row">
              <td>
                <i className="swatch" style={{ background: r.color }} /> {r.label}
              </td>
              <td className="big">{fmt(r.measurements?.integratedLufs)}</td>
              <td>{fmt(r.measurements?.loudnessRangeLu, 1, ' LU')}</td>
              <td className={r.measurements?.truePeakDbtp !== null && (r.measurements?.truePeakDbtp ?? -99) > -1 ? 'warn' : ''}>
                {fmt(r.measurements?.truePeakDbtp, 1, ' dBTP')}
              </td>
              <td>{fmt(r.measurements?.plrDb, 1, ' dB')}</td>
              <td>{widthLabel(r.measurements?.sideToMidDb)}</td>
              <td>{loudnessMatched ? fmt(r.matchGainDb, 1, ' dB') : 'off'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
