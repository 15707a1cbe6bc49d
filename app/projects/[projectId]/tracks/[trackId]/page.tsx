import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePageUser } from '@/lib/server/auth/pageSession';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { getTrack } from '@/lib/server/projects/tracks';
import { AssetList } from '../../../../components/AssetList';

/** A plain version list for now; the player and comments come with the review issue. */
export default async function TrackPage({ params }: { params: Promise<{ projectId: string; trackId: string }> }) {
  const { projectId, trackId } = await params;
  const user = await requirePageUser();
  let track;
  try {
    track = await getTrack(user.id, trackId);
  } catch (error) {
    if (error instanceof ServiceError && error.status === 404) notFound();
    throw error;
  }
  if (track.projectId !== projectId) notFound();
  const latestMix = track.assets.find((a) => a.kind === 'mix');
  return (
    <div className="stack">
      <div>
        <div className="subtle">
          <Link href="/projects">Projects</Link> / <Link href={`/projects/${projectId}`}>{track.projectName}</Link> /
        </div>
        <h1>{track.title}</h1>
      </div>
      {latestMix && (
        <div className="panel stack">
          <h2>
            Latest mix · v{latestMix.version}
          </h2>
          <audio controls preload="metadata" src={`/api/assets/${latestMix.id}/file`} style={{ width: '100%' }} />
        </div>
      )}
      <div className="panel">
        <AssetList assets={track.assets} jobs={{}} />
      </div>
    </div>
  );
}
