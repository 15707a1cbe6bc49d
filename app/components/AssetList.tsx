import type { AssetSummary } from '@/lib/server/realtime/events';
import { formatBytes, formatChannels, formatDuration, formatRate } from './format';

export interface JobView {
  jobId: string;
  assetId?: string | null;
  type: string;
  state: string;
  progress: number;
  step?: string | null;
  error?: string | null;
}

export function AssetList({ assets, jobs }: { assets: AssetSummary[]; jobs: Record<string, JobView> }) {
  if (assets.length === 0) return <div className="empty">No uploads yet.</div>;
  return (
    <div>
      {assets.map((a) => {
        const job = jobs[a.id];
        const running = job && (job.state === 'queued' || job.state === 'active');
        return (
          <div key={a.id} className="asset" data-testid="asset-row" data-asset-id={a.id}>
            <div className="version">
              {a.kind === 'mix' ? 'Mix' : a.kind === 'reference' ? 'Ref' : 'Master'} v{a.version}
            </div>
            <div className="stack" style={{ gap: 6 }}>
              <div className="spread">
                <a href={`/api/assets/${a.id}/file?download=1`} title={`sha256 ${a.sha256}`}>
                  {a.originalName}
                </a>
                <span className="subtle">{formatBytes(a.byteSize)}</span>
              </div>
              <div className="facts" data-testid="asset-facts">
                <span>{a.container ?? '—'}</span>
                <span>{a.codec ?? '—'}</span>
                <span>{formatRate(a.sampleRate)}</span>
                {a.bitsPerSample ? <span>{a.bitsPerSample}-bit</span> : null}
                <span>{formatChannels(a.channels)}</span>
                <span>{formatDuration(a.durationSeconds)}</span>
              </div>
              {running && (
                <div className="stack" style={{ gap: 4 }}>
                  <div className="progress job" data-testid="job-progress">
                    <div style={{ width: `${job.progress}%` }} />
                  </div>
                  <span className="subtle">
                    {job.type} · {job.step ?? job.state} · {job.progress}%
                  </span>
                </div>
              )}
              {(a.error || (job?.state === 'failed' && job.error)) && <span className="error">{a.error ?? job?.error}</span>}
            </div>
            <span className={`badge ${a.status}`} data-testid="asset-status">
              {a.status}
            </span>
          </div>
        );
      })}
    </div>
  );
}
