'use client';

import { useEffect, useMemo, useState } from 'react';
import type { CommentDto } from '@/lib/server/review/reviewEvents';
import { MentionTextarea } from './MentionTextarea';
import { MessageText } from './MessageText';
import { useReview, type NewCommentInput, type PendingSend } from './ReviewProvider';
import { formatTimecode, parseTimecode } from './timecode';

/** Same limit as the server (lib/server/review/messageBody.ts); the server's 400 stays the authority. */
const MAX_LENGTH = 5000;

export interface CommentVersion {
  id: string;
  label: string;
}

export interface CommentsPanelProps {
  versions: CommentVersion[];
  /** The version being listened to: new comments belong to it. */
  currentAssetId: string | null;
  currentTimeSeconds?: number;
  /**
   * A click (time) or drag (range) on the waveform: the next comment goes there. `seq` changes with every gesture, so
   * clicking the same spot twice still re-pins the time after it was edited.
   */
  anchor?: { startSeconds: number; endSeconds: number | null; seq: number } | null;
  /** Clicking a comment's time: the player switches to that version if needed, seeks and plays. */
  onSeek?(timeSeconds: number, assetId: string): void;
}

function authorName(c: { author: { name: string } | null; guestName: string | null }): string {
  return c.author?.name ?? `${c.guestName ?? 'Someone'} (guest)`;
}

function timeLabel(c: { timeSeconds: number | null; endSeconds: number | null }): string | null {
  if (c.timeSeconds == null) return null;
  return c.endSeconds != null ? `${formatTimecode(c.timeSeconds)}–${formatTimecode(c.endSeconds)}` : formatTimecode(c.timeSeconds);
}

export function CommentsPanel({ versions, currentAssetId, currentTimeSeconds = 0, anchor = null, onSeek }: CommentsPanelProps) {
  const review = useReview();
  const { comments, pendingComments, members, viewer, guest } = review;
  const [scope, setScope] = useState<'version' | 'all'>('all');
  const [showResolved, setShowResolved] = useState(true);
  const [draft, setDraft] = useState('');
  const [startText, setStartText] = useState('');
  const [endText, setEndText] = useState('');
  // Pinned: the time fields hold a chosen time (a waveform click or drag, typed, or the playhead when typing began)
  // instead of following the playhead, so a comment typed while the music plays lands where it was meant to.
  const [pinned, setPinned] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [assetId, setAssetId] = useState<string | null>(currentAssetId);

  // Follows the version being heard; keyed on the ids, not the array (a new one every player tick), so a version
  // picked by hand in the form stays picked until the listener switches source.
  const firstVersionId = versions[0]?.id ?? null;
  useEffect(() => setAssetId(currentAssetId ?? firstVersionId), [currentAssetId, firstVersionId]);
  // Unpinned, the time fields follow the playhead.
  useEffect(() => {
    if (pinned) return;
    setStartText(formatTimecode(currentTimeSeconds));
    setEndText('');
  }, [currentTimeSeconds, pinned]);
  // After the playhead effect, so a click that also seeks ends with the clicked time (and a drag with its range).
  useEffect(() => {
    if (!anchor) return;
    setStartText(formatTimecode(anchor.startSeconds));
    setEndText(anchor.endSeconds != null ? formatTimecode(anchor.endSeconds) : '');
    setPinned(true);
  }, [anchor]);

  // A notification links here with ?comment=<id>: bring that thread into view and mark it once it has loaded.
  const [linkedId, setLinkedId] = useState<string | null>(null);
  const [highlightId, setHighlightId] = useState<string | null>(null);
  useEffect(() => setLinkedId(new URLSearchParams(window.location.search).get('comment')), []);
  useEffect(() => {
    if (!linkedId) return;
    const c = comments.find((x) => x.id === linkedId);
    if (!c) return;
    const rootId = c.parentId ?? c.id;
    setLinkedId(null);
    setHighlightId(rootId);
    requestAnimationFrame(() => document.querySelector(`[data-comment-id="${CSS.escape(rootId)}"]`)?.scrollIntoView({ block: 'center' }));
  }, [linkedId, comments]);

  const versionLabel = useMemo(() => new Map(versions.map((v) => [v.id, v.label])), [versions]);
  const mentionNames = useMemo(() => members.map((m) => m.name), [members]);
  const threads = useMemo(() => {
    const roots = comments.filter((c) => !c.parentId);
    const replies = new Map<string, CommentDto[]>();
    for (const c of comments) if (c.parentId) replies.set(c.parentId, [...(replies.get(c.parentId) ?? []), c]);
    return roots
      .filter((c) => (scope === 'all' || c.assetId === assetId) && (showResolved || !c.resolvedAt))
      .filter((c) => !c.deletedAt || (replies.get(c.id)?.some((r) => !r.deletedAt) ?? false))
      .sort((a, b) => (a.timeSeconds ?? Infinity) - (b.timeSeconds ?? Infinity) || a.createdAt.localeCompare(b.createdAt))
      .map((root) => ({ root, replies: replies.get(root.id) ?? [] }));
  }, [comments, scope, assetId, showResolved]);

  const submit = async () => {
    setFormError(null);
    const body = draft.trim();
    if (!body) return setFormError('Write something first');
    if (body.length > MAX_LENGTH) return setFormError(`Comments are limited to ${MAX_LENGTH} characters`);
    if (!assetId) return setFormError('There is no version to comment on yet');
    const timeSeconds = startText.trim() ? parseTimecode(startText) : null;
    if (startText.trim() && timeSeconds == null) return setFormError('Time must look like 0:42 or 1:02.5');
    const endSeconds = endText.trim() ? parseTimecode(endText) : null;
    if (endText.trim() && (endSeconds == null || timeSeconds == null || endSeconds <= timeSeconds)) {
      return setFormError('A range must end after it starts');
    }
    setDraft('');
    setPinned(false);
    // The text lives on in the pending entry until the server has it: a failed send shows it with "retry".
    await review.sendComment({ assetId, body, timeSeconds, endSeconds });
  };

  return (
    <section className="panel stack review-comments" aria-label="Comments" data-testid="comments-panel">
      <div className="spread">
        <h2>Comments</h2>
        <div className="row">
          <label className="inline">
            <input type="checkbox" checked={scope === 'all'} onChange={(e) => setScope(e.target.checked ? 'all' : 'version')} /> all versions
          </label>
          <label className="inline">
            <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> resolved
          </label>
        </div>
      </div>

      <form
        className="stack comment-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="row">
          {versions.length > 1 && (
            <label>
              Version
              <select value={assetId ?? ''} onChange={(e) => setAssetId(e.target.value)} aria-label="Version">
                {versions.map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            At
            <input
              className="time-input"
              aria-label="Comment time"
              value={startText}
              placeholder="0:42"
              onChange={(e) => {
                setPinned(true);
                setStartText(e.target.value);
              }}
            />
          </label>
          <label>
            Until
            <input
              className="time-input"
              aria-label="Comment end time"
              value={endText}
              placeholder="(optional)"
              onChange={(e) => {
                setPinned(true);
                setEndText(e.target.value);
              }}
            />
          </label>
          {pinned && (
            <button type="button" className="ghost small" onClick={() => setPinned(false)} title="Let the time follow the playhead again">
              Use playhead
            </button>
          )}
        </div>
        <MentionTextarea
          label="New comment"
          value={draft}
          onChange={(text) => {
            // Typing starts at the moment heard: the time stops following the playhead.
            if (!pinned && !draft && text) setPinned(true);
            setDraft(text);
          }}
          onSubmit={() => void submit()}
          members={guest ? [] : members.filter((m) => m.userId !== viewer?.id)}
          placeholder={guest ? `Comment as ${guest.name}` : 'Comment at this time… (@ to mention)'}
          maxLength={MAX_LENGTH}
        />
        <div className="spread">
          {formError ? <span className="error" role="alert">{formError}</span> : <span className="subtle">{guest ? `as ${guest.name}` : ''}</span>}
          <button type="submit">Comment</button>
        </div>
      </form>

      {pendingComments
        .filter((p) => !p.input.parentId)
        .map((p) => (
          <PendingRow key={p.clientKey} pending={p} onRetry={() => review.retryComment(p.clientKey)} onDiscard={() => review.discardComment(p.clientKey)} onEdit={() => {
            setDraft(p.input.body);
            review.discardComment(p.clientKey);
          }} />
        ))}

      {threads.length === 0 && <div className="empty">No comments yet. Click the waveform or type a time and write one.</div>}
      <ul className="list comment-threads">
        {threads.map(({ root, replies }) => (
          <Thread
            key={root.id}
            root={root}
            replies={replies}
            versionLabel={versionLabel.get(root.assetId) ?? 'other version'}
            mentionNames={mentionNames}
            onSeek={onSeek}
            highlighted={root.id === highlightId}
            pendingReplies={pendingComments.filter((p) => p.input.parentId === root.id)}
          />
        ))}
      </ul>
    </section>
  );
}

function PendingRow({
  pending,
  onRetry,
  onDiscard,
  onEdit,
}: {
  pending: PendingSend<NewCommentInput | { body: string }>;
  onRetry(): void;
  onDiscard(): void;
  onEdit?(): void;
}) {
  return (
    <div className={`pending ${pending.state}`} data-testid="pending-send" data-state={pending.state}>
      <span className="message-text">{pending.input.body}</span>
      {pending.state === 'sending' ? (
        <span className="subtle"> sending…</span>
      ) : (
        <span className="row">
          <span className="error" role="alert">
            {pending.error ?? 'Not sent'}
          </span>
          <button type="button" onClick={onRetry}>
            Retry
          </button>
          {onEdit && (
            <button type="button" className="ghost" onClick={onEdit}>
              Edit
            </button>
          )}
          <button type="button" className="ghost" onClick={onDiscard}>
            Discard
          </button>
        </span>
      )}
    </div>
  );
}

export { PendingRow };

function Thread({
  root,
  replies,
  versionLabel,
  mentionNames,
  onSeek,
  highlighted,
  pendingReplies,
}: {
  root: CommentDto;
  replies: CommentDto[];
  versionLabel: string;
  mentionNames: string[];
  onSeek?(timeSeconds: number, assetId: string): void;
  highlighted: boolean;
  pendingReplies: PendingSend<NewCommentInput>[];
}) {
  const review = useReview();
  const [replyOpen, setReplyOpen] = useState(false);
  const [reply, setReply] = useState('');
  const [error, setError] = useState<string | null>(null);
  const time = timeLabel(root);
  const resolved = !!root.resolvedAt;

  const sendReply = async () => {
    const body = reply.trim();
    if (!body) return;
    if (body.length > MAX_LENGTH) return setError(`Replies are limited to ${MAX_LENGTH} characters`);
    setReply('');
    setReplyOpen(false);
    await review.sendComment({ assetId: root.assetId, body, parentId: root.id });
  };

  return (
    <li className={`comment-thread${resolved ? ' resolved' : ''}${highlighted ? ' linked' : ''}`} data-testid="comment-thread" data-comment-id={root.id} data-resolved={resolved}>
      <CommentItem comment={root} mentionNames={mentionNames} header={
        <>
          {time ? (
            <button type="button" className="time-chip" data-testid="comment-time" onClick={() => onSeek?.(root.timeSeconds!, root.assetId)} title="Play from here">
              ▶ {time}
            </button>
          ) : (
            <span className="time-chip none">general</span>
          )}
          <span className="badge" data-testid="comment-version">{versionLabel}</span>
          {resolved && <span className="badge ready" data-testid="resolved-badge">resolved{root.resolvedBy ? ` by ${root.resolvedBy}` : ''}</span>}
        </>
      } />
      {replies.length > 0 && (
        <ul className="replies">
          {replies.map((r) => (
            <li key={r.id} data-testid="comment-reply">
              <CommentItem comment={r} mentionNames={mentionNames} />
            </li>
          ))}
        </ul>
      )}
      {pendingReplies.map((p) => (
        <PendingRow key={p.clientKey} pending={p} onRetry={() => review.retryComment(p.clientKey)} onDiscard={() => review.discardComment(p.clientKey)} onEdit={() => {
          setReply(p.input.body);
          setReplyOpen(true);
          review.discardComment(p.clientKey);
        }} />
      ))}
      <div className="row comment-actions">
        <button type="button" className="ghost small" onClick={() => setReplyOpen((o) => !o)}>
          Reply
        </button>
        {review.viewer && !root.deletedAt && (
          <button
            type="button"
            className="ghost small"
            onClick={async () => setError(await review.setResolved(root.id, !resolved))}
          >
            {resolved ? 'Reopen' : 'Resolve'}
          </button>
        )}
        {error && <span className="error" role="alert">{error}</span>}
      </div>
      {replyOpen && (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void sendReply();
          }}
        >
          <MentionTextarea
            label="Reply"
            value={reply}
            onChange={setReply}
            onSubmit={() => void sendReply()}
            members={review.guest ? [] : review.members.filter((m) => m.userId !== review.viewer?.id)}
            placeholder="Reply… (@ to mention)"
            maxLength={MAX_LENGTH}
          />
          <div className="row">
            <button type="submit">Send reply</button>
          </div>
        </form>
      )}
    </li>
  );
}

function CommentItem({ comment, mentionNames, header }: { comment: CommentDto; mentionNames: string[]; header?: React.ReactNode }) {
  const review = useReview();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(comment.body);
  const [error, setError] = useState<string | null>(null);
  const mine = !!review.viewer && comment.author?.id === review.viewer.id;
  const canDelete = mine || review.viewer?.role === 'owner';
  return (
    <div className="comment" data-testid="comment">
      <div className="row comment-head">
        {header}
        <strong data-testid="comment-author">{authorName(comment)}</strong>
        <span className="subtle" title={comment.createdAt}>
          {new Date(comment.createdAt).toLocaleString()}
          {comment.editedAt && ' · edited'}
        </span>
        {!comment.deletedAt && !editing && (mine || canDelete) && (
          // Your own comment's actions sit on its header line, apart from the thread's Reply/Resolve below.
          <span className="row comment-own-actions">
            {mine && (
              <button type="button" className="ghost small" onClick={() => {
                setText(comment.body);
                setEditing(true);
              }}>
                Edit
              </button>
            )}
            {canDelete && (
              <button type="button" className="ghost small" onClick={async () => {
                if (confirm('Delete this comment?')) setError(await review.deleteComment(comment.id));
              }}>
                Delete
              </button>
            )}
          </span>
        )}
      </div>
      {comment.deletedAt ? (
        <div className="subtle">(deleted)</div>
      ) : editing ? (
        <form
          className="stack"
          onSubmit={async (e) => {
            e.preventDefault();
            const err = await review.editComment(comment.id, text);
            setError(err);
            if (!err) setEditing(false);
          }}
        >
          <MentionTextarea label="Edit comment" value={text} onChange={setText} onSubmit={async () => {
            const err = await review.editComment(comment.id, text);
            setError(err);
            if (!err) setEditing(false);
          }} members={review.members} maxLength={MAX_LENGTH} />
          <div className="row">
            <button type="submit">Save</button>
            <button type="button" className="ghost" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="comment-body" data-testid="comment-body">
          <MessageText body={comment.body} mentionNames={mentionNames} />
        </div>
      )}
      {error && <div className="error" role="alert">{error}</div>}
    </div>
  );
}
