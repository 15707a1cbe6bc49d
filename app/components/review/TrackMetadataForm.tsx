'use client';

import { useEffect, useState } from 'react';
import type { TrackMetadataDto } from '@/lib/server/review/trackMetadata';
import { useReview } from './ReviewProvider';

const FIELDS = [
  { key: 'title', label: 'Title' },
  { key: 'artist', label: 'Artist' },
  { key: 'album', label: 'Album' },
  { key: 'isrc', label: 'ISRC' },
  { key: 'year', label: 'Year' },
] as const;

/** The tags written into every delivery file. The server validates (ISRC rules from lib/audio/metadata.ts). */
export function TrackMetadataForm() {
  const { trackId, viewer, metadataTick } = useReview();
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const canEdit = !!viewer && viewer.role !== 'viewer';

  useEffect(() => {
    void fetch(`/api/tracks/${trackId}/metadata`, { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null))
      .then((m: TrackMetadataDto | null) => {
        if (m) setValues({ title: m.title, artist: m.artist ?? '', album: m.album ?? '', isrc: m.isrc ?? '', year: m.year ? String(m.year) : '' });
      });
  }, [trackId, metadataTick]);

  const save = async () => {
    setSaved(false);
    setErrors({});
    const year = values.year?.trim();
    if (year && !/^\d{4}$/.test(year)) return setErrors({ year: 'Year must have four digits' });
    const res = await fetch(`/api/tracks/${trackId}/metadata`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: values.title, artist: values.artist ?? '', album: values.album ?? '', isrc: values.isrc ?? '', year: year ? Number(year) : null }),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) return setErrors(data.fields ?? { _: data.error ?? 'Could not save' });
    setValues({ title: data.title, artist: data.artist ?? '', album: data.album ?? '', isrc: data.isrc ?? '', year: data.year ? String(data.year) : '' });
    setSaved(true);
  };

  return (
    <form
      className="panel stack"
      aria-label="Track metadata"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>Delivery metadata</h2>
      {FIELDS.map((f) => (
        <label key={f.key}>
          {f.label}
          <input value={values[f.key] ?? ''} disabled={!canEdit} onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))} placeholder={f.key === 'isrc' ? 'CC-XXX-YY-NNNNN' : undefined} />
          {errors[f.key] && <span className="error" role="alert">{errors[f.key]}</span>}
        </label>
      ))}
      {errors._ && <span className="error" role="alert">{errors._}</span>}
      {canEdit && (
        <div className="row">
          <button type="submit">Save metadata</button>
          {saved && <span className="ok">Saved</span>}
        </div>
      )}
    </form>
  );
}
