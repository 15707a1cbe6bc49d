// The review room's components, for the track page (H12) and the guest page.
export { ApprovalControls } from './ApprovalControls';
export { ChatPanel } from './ChatPanel';
export { CommentsPanel, type CommentsPanelProps, type CommentVersion } from './CommentsPanel';
export { DownloadMenu } from './DownloadMenu';
export { NotificationBell } from './NotificationBell';
export { PresenceBar } from './PresenceBar';
export { ReviewProvider, useCommentMarkers, useReview, useReviewEvents, type ReviewViewer } from './ReviewProvider';
export { ShareLinksPanel } from './ShareLinksPanel';
export { TrackMetadataForm } from './TrackMetadataForm';
