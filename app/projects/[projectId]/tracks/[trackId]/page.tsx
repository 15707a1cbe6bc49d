import { notFound } from 'next/navigation';
import { requirePageUser } from '@/lib/server/auth/pageSession';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { getTrackReview } from '@/lib/server/projects/versions';
import { TrackPageClient } from '../../../../components/track/TrackPageClient';

/** The review room of one track: everything is loaded in one query so the player can start at once. */
export default async function TrackPage({ params }: { params: Promise<{ projectId: string; trackId: string }> }) {
  const { projectId, trackId } = await params;
  const user = await requirePageUser();
  let review;
  try {
    review = await getTrackReview(user.id, trackId);
  } catch (error) {
    if (error instanceof ServiceError && error.status === 404) notFound();
    throw error;
  }
  if (review.projectId !== projectId) notFound();
  return <TrackPageClient initial={review} viewer={{ id: user.id, name: user.name }} />;
}
