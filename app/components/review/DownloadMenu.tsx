'use client';

import { useCallback, useEffect, useState } from 'react';
import type { DeliveryDto } from '@/lib/server/review/deliveries';
import { downloadWithProgress } from './downloadWithProgress';
import { useReview, useReviewEvents } from './ReviewProvider';

function formatBytes(n: number | null): string {
  if (n == null) return '';
  return n > 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/**
 * The "Download" menu of an approved master: WAV 24-bit, WAV 16-bit/44.1 kHz, FLAC, MP3 320. Files are rendered by
 * the export job on request (status live), then downloaded with a progress bar.
 */
export function DownloadMenu({ assetId }: { assetId: string }) {
  const { approvals, guest, viewer, deliveriesTick } = useReview();
  const approved = !!approvals[assetId] || !!guest;
  const [deliveries, setDeliveries] = useState<DeliveryDto[] | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [jobProgress, setJobProgress] = useState<number | null>(null);
  const [progress, setProgress] = useState<Record<string, { received: number; total: number | null; done?: boolean }>>({});
  const listUrl = guest ? `/api/review/${guest.token}/assets/${assetId}/deliveries` : `/api/assets/${assetId}/deliveries`;

  const load = useCallback(async () => {
    const res = await fetch(listUrl, { cache: 'no-store' });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      setDeliveries(null);
      if (res.status !== 403) setError(data.error ?? null);
      return;
    }
    setDeliveries(data.approved ? data.deliveries : null);
  }, [listUrl]);

  useEffect(() => {
    if (approved) void load();
  }, [approved, load, deliveriesTick]);

  useReviewEvents({
    'job:progress': (p: { type: string; assetId?: string; progress: number; state: string }) => {
      if (p.type !== 'export' || p.assetId !== assetId) return;
      setJobProgress(p.state === 'active' || p.state === 'queued' ? p.progress : null);
    },
  });

  if (!approved || (guest && !deliveries)) return null;

  const render = async () => {
    setError(null);
    const res = await fetch(`/api/assets/${assetId}/deliveries`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) return setError(data.error ?? `Failed (${res.status})`);
    setDeliveries(data.deliveries);
    if (data.jobId) setJobProgress(0);
  };

  const download = async (d: DeliveryDto) => {
    if (!d.downloadPath) return;
    setError(null);
    try {
      await downloadWithProgress(d.downloadPath, (received, total) => setProgress((p) => ({ ...p, [d.id]: { received, total } })));
      setProgress((p) => ({ ...p, [d.id]: { ...p[d.id], done: true } }));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const missing = !deliveries || deliveries.length < 4 || deliveries.some((d) => d.status === 'failed' || d.status === 'cancelled');
  const canRender = !guest && !!viewer && viewer.role !== 'viewer';
  return (
    <div className="download-menu" data-testid="download-menu">
      <button type="button" className="ghost" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Download ▾
      </button>
      {open && (
        <div className="download-panel panel stack">
          {missing && canRender && (
            <button type="button" onClick={render}>
              Render delivery files
            </button>
          )}
          {jobProgress != null && (
            <div className="progress job" role="progressbar" aria-label="Rendering delivery files" aria-valuenow={jobProgress} aria-valuemin={0} aria-valuemax={100}>
              <div style={{ width: `${jobProgress}%` }} />
            </div>
          )}
          <ul className="list">
            {(deliveries ?? []).map((d) => {
              const p = progress[d.id];
              const pct = p?.total ? Math.round((100 * p.received) / p.total) : 0;
              return (
                <li key={d.id} className="list-item" data-testid="delivery" data-format={d.format} data-status={d.status}>
                  <span>
                    <strong>{d.label}</strong> <span className="subtle">{d.detail} {formatBytes(d.byteSize)}</span>
                  </span>
                  {d.downloadPath ? (
                    <button type="button" onClick={() => download(d)}>
                      {p?.done ? 'Downloaded' : 'Download'}
                    </button>
                  ) : (
                    <span className={`badge ${d.status === 'failed' ? 'failed' : ''}`}>
                      {d.status === 'failed' ? `failed: ${d.error ?? ''}` : d.status === 'cancelled' ? (d.error ?? 'outdated') : 'rendering…'}
                    </span>
                  )}
                  {p && (
                    <div className="progress" role="progressbar" aria-label={`Downloading ${d.label}`} aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100} style={{ width: '100%' }}>
                      <div style={{ width: `${pct}%` }} />
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
          {error && <span className="error" role="alert">{error}</span>}
        </div>
      )}
    </div>
  );
}
