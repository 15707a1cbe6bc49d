'use client';

import { useEffect, useRef, useState } from 'react';
import type { AssetSummary } from '@/lib/server/realtime/events';
import { CommentsPanel } from './CommentsPanel';
import { DownloadMenu } from './DownloadMenu';
import { PresenceBar } from './PresenceBar';
import { ReviewProvider, useReview } from './ReviewProvider';

interface GuestReviewData {
  projectId: string;
  projectName: string;
  trackId: string;
  title: string;
  artist: string | null;
  allowDownload: boolean;
  expiresAt: string | null;
  versions: AssetSummary[];
}

const NAME_KEY = 'mastering-room.guest-name';

function versionLabel(v: AssetSummary): string {
  return `${v.kind === 'master' ? 'Master' : 'Mix'} v${v.version}`;
}

function LinkInvalid() {
  return (
    <div className="panel auth-card stack" data-testid="link-invalid">
      <h1>Link not valid</h1>
      <p className="subtle">This review link was revoked or has expired. Ask the person who sent it for a new one.</p>
    </div>
  );
}

export function GuestReview({ token }: { token: string }) {
  const [data, setData] = useState<GuestReviewData | null>(null);
  const [invalid, setInvalid] = useState(false);
  const [name, setName] = useState<string | null>(null);
  const [nameDraft, setNameDraft] = useState('');

  useEffect(() => {
    setName(window.localStorage.getItem(NAME_KEY));
    void fetch(`/api/review/${token}`, { cache: 'no-store' }).then(async (res) => {
      if (!res.ok) return setInvalid(true);
      setData(await res.json());
    });
  }, [token]);

  if (invalid) return <LinkInvalid />;
  if (!data) return <div className="empty">Loading…</div>;
  if (!name) {
    return (
      <form
        className="panel auth-card stack"
        onSubmit={(e) => {
          e.preventDefault();
          const n = nameDraft.trim().slice(0, 60);
          if (!n) return;
          window.localStorage.setItem(NAME_KEY, n);
          setName(n);
        }}
      >
        <h1>{data.title}</h1>
        <p className="subtle">You were invited to listen and comment. Type the name others will see next to your comments.</p>
        <label>
          Your name
          <input value={nameDraft} onChange={(e) => setNameDraft(e.target.value)} maxLength={60} autoFocus />
        </label>
        <button type="submit">Start listening</button>
      </form>
    );
  }
  return (
    <ReviewProvider projectId={data.projectId} trackId={data.trackId} guest={{ token, name }}>
      <GuestRoom data={data} token={token} />
    </ReviewProvider>
  );
}

function GuestRoom({ data, token }: { data: GuestReviewData; token: string }) {
  const { linkRevoked } = useReview();
  const ready = data.versions.filter((v) => v.status === 'ready' || v.status === 'analyzing' || v.status === 'uploaded');
  const [assetId, setAssetId] = useState<string | null>(ready.find((v) => v.kind === 'master')?.id ?? ready[0]?.id ?? null);
  const [time, setTime] = useState(0);
  const audio = useRef<HTMLAudioElement>(null);

  if (linkRevoked) return <LinkInvalid />;
  return (
    <div className="review-guest">
      <div className="spread">
        <div>
          <div className="subtle">{data.projectName} · guest review</div>
          <h1 data-testid="guest-track-title">{data.title}</h1>
          {data.artist && <div className="subtle">{data.artist}</div>}
        </div>
        <PresenceBar />
      </div>
      <div className="panel stack">
        <div className="row">
          {ready.map((v) => (
            <button key={v.id} type="button" className={v.id === assetId ? '' : 'ghost'} onClick={() => setAssetId(v.id)}>
              {versionLabel(v)}
            </button>
          ))}
          {data.allowDownload && assetId && <DownloadMenu assetId={assetId} />}
        </div>
        {assetId && (
          <audio
            ref={audio}
            controls
            preload="metadata"
            src={`/api/review/${token}/assets/${assetId}/file`}
            style={{ width: '100%' }}
            onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
          />
        )}
      </div>
      <CommentsPanel
        versions={ready.map((v) => ({ id: v.id, label: versionLabel(v) }))}
        currentAssetId={assetId}
        currentTimeSeconds={time}
        onSeek={(t, id) => {
          if (id !== assetId) setAssetId(id);
          requestAnimationFrame(() => {
            if (!audio.current) return;
            audio.current.currentTime = t;
            void audio.current.play().catch(() => undefined);
          });
        }}
      />
    </div>
  );
}
