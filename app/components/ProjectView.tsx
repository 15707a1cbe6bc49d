'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useState, type FormEvent } from 'react';
import type { MemberList } from '@/lib/server/projects/members';
import type { AssetSummary } from '@/lib/server/realtime/events';
import { api } from './api';
import { AssetList, type JobView } from './AssetList';
import { MembersPanel } from './MembersPanel';
import { UploadDropZone } from './UploadDropZone';
import { useProjectSocket } from './useProjectSocket';

type Role = 'viewer' | 'artist' | 'engineer' | 'owner';
const RANK: Record<Role, number> = { viewer: 0, artist: 1, engineer: 2, owner: 3 };

export interface TrackView {
  id: string;
  title: string;
  assets: AssetSummary[];
}

export function ProjectView(props: {
  project: { id: string; name: string; role: Role };
  tracks: TrackView[];
  members: MemberList;
  jobs: JobView[];
  currentUserId: string;
}) {
  const router = useRouter();
  const { project, currentUserId } = props;
  const [name, setName] = useState(project.name);
  const [tracks, setTracks] = useState(props.tracks);
  const [members, setMembers] = useState(props.members);
  const [jobs, setJobs] = useState<Record<string, JobView>>(() =>
    Object.fromEntries(props.jobs.filter((j) => j.assetId).map((j) => [j.assetId!, j])),
  );
  const [error, setError] = useState<string | null>(null);
  const role = project.role;
  const canUpload = RANK[role] >= RANK.artist;
  const isOwner = role === 'owner';

  const reloadTracks = useCallback(async () => {
    setTracks(await api<TrackView[]>(`/api/projects/${project.id}/tracks`));
  }, [project.id]);
  const reloadMembers = useCallback(async () => {
    setMembers(await api<MemberList>(`/api/projects/${project.id}/members`));
  }, [project.id]);

  const upsertAsset = (asset: AssetSummary) =>
    setTracks((all) =>
      all.map((t) => (t.id !== asset.trackId ? t : { ...t, assets: [asset, ...t.assets.filter((a) => a.id !== asset.id)] })),
    );

  const { live, joinError } = useProjectSocket(project.id, {
    'asset:created': (p: { asset: AssetSummary }) => upsertAsset(p.asset),
    'asset:updated': (p: Partial<AssetSummary> & { assetId: string; trackId: string }) =>
      setTracks((all) =>
        all.map((t) =>
          t.id !== p.trackId
            ? t
            : {
                ...t,
                assets: t.assets.map((a) => {
                  if (a.id !== p.assetId) return a;
                  const { assetId: _id, ...rest } = p;
                  return { ...a, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as AssetSummary;
                }),
              },
        ),
      ),
    'job:progress': (p: JobView) => {
      if (p.assetId) setJobs((all) => ({ ...all, [p.assetId!]: p }));
      if (p.state === 'completed' || p.state === 'failed') void reloadTracks();
    },
    'track:created': () => void reloadTracks(),
    'track:updated': () => void reloadTracks(),
    'track:deleted': () => void reloadTracks(),
    'members:changed': () => void reloadMembers().catch(() => router.refresh()),
    'project:updated': (p: { name: string }) => setName(p.name),
    'project:deleted': () => router.push('/projects'),
  });

  async function createTrack(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setError(null);
    try {
      await api(`/api/projects/${project.id}/tracks`, { method: 'POST', body: { title: new FormData(form).get('title') } });
      form.reset();
      await reloadTracks();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function rename() {
    const next = window.prompt('Project name', name);
    if (!next || next === name) return;
    try {
      const p = await api<{ name: string }>(`/api/projects/${project.id}`, { method: 'PATCH', body: { name: next } });
      setName(p.name);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete “${name}” with all its tracks and files? This cannot be undone.`)) return;
    try {
      await api(`/api/projects/${project.id}`, { method: 'DELETE' });
      router.push('/projects');
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="stack">
      <div className="spread">
        <div>
          <div className="subtle">
            <Link href="/projects">Projects</Link> /
          </div>
          <h1 data-testid="project-name">{name}</h1>
          <div className="row subtle">
            <span className={`live-dot${live ? ' on' : ''}`} title={live ? 'Live updates on' : joinError ?? 'Connecting…'} />
            <span>{live ? 'Live' : 'Connecting…'}</span>
            <span className={`badge ${role}`}>{role}</span>
          </div>
        </div>
        {isOwner && (
          <div className="row">
            <button type="button" className="ghost" onClick={() => void rename()}>
              Rename
            </button>
            <button type="button" className="danger" onClick={() => void remove()}>
              Delete project
            </button>
          </div>
        )}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="grid-2">
        <div className="stack">
          {canUpload && (
            <form className="row panel" onSubmit={createTrack}>
              <input name="title" placeholder="Track title" maxLength={200} required style={{ flex: 1 }} />
              <button type="submit">Add track</button>
            </form>
          )}
          {tracks.length === 0 && <div className="panel empty">No tracks yet.</div>}
          {tracks.map((t) => (
            <section key={t.id} className="track stack" data-testid="track">
              <div className="spread">
                <h2 style={{ margin: 0 }}>
                  <Link href={`/projects/${project.id}/tracks/${t.id}`}>{t.title}</Link>
                </h2>
                <span className="subtle">{t.assets.length} file{t.assets.length === 1 ? '' : 's'}</span>
              </div>
              {canUpload && <UploadDropZone trackId={t.id} />}
              <AssetList assets={t.assets} jobs={jobs} />
            </section>
          ))}
        </div>
        <MembersPanel projectId={project.id} members={members} canManage={isOwner} currentUserId={currentUserId} onChanged={() => void reloadMembers()} />
      </div>
    </div>
  );
}
