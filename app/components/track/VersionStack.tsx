'use client';

import type { ReactNode } from 'react';
import type { MasterJobView, VersionView } from '@/lib/server/projects/versions';
import { fmt, widthLabel } from './MeterPanel';

function formatTime(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, '0')}`;
}

/**
 * Mixes, masters and references with their measurements and flagged problems. Each row can be put into the player
 * (its key number is shown); a master names the mix, references and settings it came from.
 */
export function VersionStack(props: {
  versions: VersionView[];
  loadedIds: string[];
  activeId: string | null;
  colors: Record<string, string>;
  masterJobs: MasterJobView[];
  canRender: boolean;
  onToggleLoaded: (id: string) => void;
  onSelect: (id: string) => void;
  onSeek: (timeSeconds: number) => void;
  onRetry: (jobId: string) => void;
  masterExtras?: (version: VersionView) => ReactNode;
}) {
  const byId = new Map(props.versions.map((v) => [v.id, v]));
  const running = props.masterJobs.filter((j) => j.state === 'queued' || j.state === 'active');
  const failed = props.masterJobs.filter((j) => j.state === 'failed');
  return (
    <div className="stack" data-testid="version-stack">
      {running.map((job) => (
        <div key={job.jobId} className="render-progress" data-testid="render-progress">
          <div className="spread">
            <strong>Rendering a new master…</strong>
            <span className="subtle">
              {job.step ?? job.state} · {job.progress}%
            </span>
          </div>
          <div className="progress job" role="progressbar" aria-valuenow={job.progress} aria-valuemin={0} aria-valuemax={100}>
            <div style={{ width: `${job.progress}%` }} />
          </div>
        </div>
      ))}
      {failed.slice(0, 1).map((job) => (
        <div key={job.jobId} className="render-failed" role="alert">
          <span className="error">Render failed: {job.error ?? 'unknown error'}</span>
          {props.canRender && (
            <button type="button" onClick={() => props.onRetry(job.jobId)}>
              Retry
            </button>
          )}
        </div>
      ))}
      {props.versions.length === 0 && <div className="empty">No files yet: upload a mix and a reference on the project page.</div>}
      {props.versions.map((v) => {
        const loadedIndex = props.loadedIds.indexOf(v.id);
        const loaded = loadedIndex >= 0;
        const m = v.measurements;
        const errors = v.problems.filter((p) => p.severity !== 'info');
        return (
          <div
            key={v.id}
            className={`version-row ${v.kind} ${props.activeId === v.id ? 'active' : ''}`}
            data-testid="version-row"
            data-asset-id={v.id}
            data-kind={v.kind}
          >
            <div className="version-head">
              <label className="inline" title={v.status === 'ready' ? 'Put this version into the player' : 'Not analysed yet'}>
                <input type="checkbox" checked={loaded} disabled={v.status !== 'ready' && !loaded} onChange={() => props.onToggleLoaded(v.id)} />
                <span className="version-label" style={{ borderColor: props.colors[v.id] ?? 'transparent' }}>
                  {v.label}
                </span>
              </label>
              {loaded && (
                <button type="button" className={`key ${props.activeId === v.id ? 'on' : ''}`} onClick={() => props.onSelect(v.id)} title="Listen (key)">
                  {loadedIndex + 1}
                </button>
              )}
              <span className="subtle name" title={v.originalName}>
                {v.originalName}
              </span>
              <span className={`badge ${v.status}`}>{v.status}</span>
            </div>
            {m ? (
              <div className="facts measurements" data-testid="version-measurements">
                <span title="Integrated loudness">{fmt(m.integratedLufs)} LUFS</span>
                <span title="Loudness range">LRA {fmt(m.loudnessRangeLu)}</span>
                <span title="True peak">TP {fmt(m.truePeakDbtp)}</span>
                <span title="Peak to loudness ratio">PLR {fmt(m.plrDb)}</span>
                <span title="Stereo width">{widthLabel(m.sideToMidDb)}</span>
              </div>
            ) : (
              <div className="subtle">{v.status === 'failed' ? v.error : 'measuring…'}</div>
            )}
            {v.kind === 'master' && (
              <div className="subtle lineage">
                from {byId.get(v.sourceMixId ?? '')?.label ?? 'a deleted mix'}
                {v.referenceIds.length > 0 && ` + ${v.referenceIds.map((id) => byId.get(id)?.label ?? 'deleted ref').join(', ')}`}
                {v.settings && ` · target ${v.settings.loudness.targetLufs.toFixed(1)} LUFS, ceiling ${v.settings.loudness.ceilingDbtp.toFixed(1)} dBTP`}
              </div>
            )}
            {v.report && v.report.summary.length > 0 && (
              <details className="report">
                <summary>What the master did</summary>
                <ul>
                  {v.report.summary.map((s, i) => (
                    <li key={i}>{s}</li>
                  ))}
                  {v.report.warnings.map((s, i) => (
                    <li key={`w${i}`} className="warn">
                      {s}
                    </li>
                  ))}
                </ul>
              </details>
            )}
            {errors.length > 0 && (
              <div className="problems" data-testid="version-problems">
                {errors.slice(0, 6).map((p, i) => (
                  <button key={i} type="button" className={`problem ${p.severity}`} onClick={() => props.onSeek(p.timeSeconds)} title={p.message}>
                    {p.kind} @ {formatTime(p.timeSeconds)}
                  </button>
                ))}
                {errors.length > 6 && <span className="subtle">+{errors.length - 6} more</span>}
              </div>
            )}
            {v.kind === 'master' && props.masterExtras?.(v)}
          </div>
        );
      })}
    </div>
  );
}
