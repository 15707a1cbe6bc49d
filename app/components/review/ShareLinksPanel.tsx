'use client';

import { useCallback, useEffect, useState } from 'react';
import type { ShareLinkDto } from '@/lib/server/review/shareLinks';
import { useReview } from './ReviewProvider';

/**
 * Owner-only: guest review links for this track (listen + comment under a typed name; download only if allowed).
 * The full link is shown once, when created: only its hash is stored.
 */
export function ShareLinksPanel() {
  const { trackId, viewer } = useReview();
  const [links, setLinks] = useState<ShareLinkDto[]>([]);
  const [label, setLabel] = useState('');
  const [allowDownload, setAllowDownload] = useState(false);
  const [expiresInHours, setExpiresInHours] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await fetch(`/api/tracks/${trackId}/share-links`, { cache: 'no-store' });
    if (res.ok) setLinks(await res.json());
  }, [trackId]);
  useEffect(() => {
    if (viewer?.role === 'owner') void load();
  }, [load, viewer?.role]);
  if (viewer?.role !== 'owner') return null;

  const create = async () => {
    setError(null);
    const hours = expiresInHours.trim() ? Number(expiresInHours) : undefined;
    const res = await fetch(`/api/tracks/${trackId}/share-links`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ label: label || undefined, allowDownload, expiresInHours: hours }),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) return setError(data.error ?? `Failed (${res.status})`);
    setCreated(`${window.location.origin}${data.path}`);
    setLabel('');
    void load();
  };

  const revoke = async (id: string) => {
    const res = await fetch(`/api/share-links/${id}`, { method: 'DELETE' });
    if (!res.ok) setError((await res.json().catch(() => ({}))).error ?? 'Could not revoke');
    void load();
  };

  return (
    <section className="panel stack" aria-label="Guest review links" data-testid="share-links">
      <h2>Guest review links</h2>
      <div className="row">
        <label>
          Label
          <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. Label A&R" maxLength={100} />
        </label>
        <label>
          Expires in (hours)
          <input value={expiresInHours} onChange={(e) => setExpiresInHours(e.target.value)} placeholder="never" inputMode="numeric" size={6} />
        </label>
        <label className="inline">
          <input type="checkbox" checked={allowDownload} onChange={(e) => setAllowDownload(e.target.checked)} /> allow download
        </label>
        <button type="button" onClick={create}>
          Create link
        </button>
      </div>
      {created && (
        <div className="ok stack">
          <span>Copy this link now; it is not shown again:</span>
          <input readOnly value={created} data-testid="new-share-link" onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      {error && <span className="error" role="alert">{error}</span>}
      <ul className="list">
        {links.map((l) => (
          <li key={l.id} className="list-item" data-testid="share-link" data-active={l.active}>
            <span>
              <strong>{l.label ?? 'Link'}</strong>{' '}
              <span className="subtle">
                {l.allowDownload ? 'can download' : 'listen + comment'}
                {l.expiresAt && ` · expires ${new Date(l.expiresAt).toLocaleString()}`}
                {l.revokedAt && ' · revoked'}
                {!l.revokedAt && !l.active && ' · expired'}
              </span>
            </span>
            {l.active && (
              <button type="button" className="danger" onClick={() => revoke(l.id)}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
