'use client';

import type { TrackReview as TrackReviewData } from '@/lib/server/projects/versions';
import { ApprovalControls } from '../review/ApprovalControls';
import { ChatPanel } from '../review/ChatPanel';
import { CommentsPanel } from '../review/CommentsPanel';
import { DownloadMenu } from '../review/DownloadMenu';
import { PresenceBar } from '../review/PresenceBar';
import { ReviewProvider } from '../review/ReviewProvider';
import { ShareLinksPanel } from '../review/ShareLinksPanel';
import { TrackMetadataForm } from '../review/TrackMetadataForm';
import { TrackReview } from './TrackReview';
import './track.css';

/** The track page's client side: one review socket (ReviewProvider) around the player, versions and conversation. */
export function TrackPageClient({ initial, viewer }: { initial: TrackReviewData; viewer: { id: string; name: string } }) {
  return (
    <ReviewProvider projectId={initial.projectId} trackId={initial.id} viewer={{ ...viewer, role: initial.role }}>
      <TrackReview
        initial={initial}
        slots={{
          header: <PresenceBar />,
          comments: (p) => <CommentsPanel {...p} />,
          masterExtras: (v) => (
            <div className="row wrap master-extras">
              <ApprovalControls assetId={v.id} />
              <DownloadMenu assetId={v.id} />
            </div>
          ),
          side: (
            <>
              <ChatPanel />
              <TrackMetadataForm />
              <ShareLinksPanel />
            </>
          ),
        }}
      />
    </ReviewProvider>
  );
}
