'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { PendingRow } from './CommentsPanel';
import { MentionTextarea } from './MentionTextarea';
import { MessageText } from './MessageText';
import { useReview } from './ReviewProvider';

const MAX_LENGTH = 5000;

/** Track chat: messages not tied to a time ("can we try it a bit less loud?"), live, with mentions and history. */
export function ChatPanel() {
  const review = useReview();
  const { chat, pendingChat, members, viewer } = review;
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const mentionNames = useMemo(() => members.map((m) => m.name), [members]);

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chat.length, pendingChat.length]);

  const submit = async () => {
    const body = draft.trim();
    if (!body) return;
    if (body.length > MAX_LENGTH) return setError(`Messages are limited to ${MAX_LENGTH} characters`);
    setError(null);
    setDraft('');
    await review.sendChat(body);
  };

  return (
    <section className="panel stack review-chat" id="chat" aria-label="Track chat" data-testid="chat-panel">
      <h2>Chat</h2>
      <ul className="chat-list" ref={listRef}>
        {chat.length === 0 && <li className="empty">No messages yet.</li>}
        {chat.map((m) => (
          <li key={m.id} className={`chat-message${m.author?.id === viewer?.id ? ' mine' : ''}`} data-testid="chat-message">
            <strong>{m.author?.name ?? `${m.guestName} (guest)`}</strong>{' '}
            <span className="subtle">{new Date(m.createdAt).toLocaleTimeString()}</span>
            <div>{m.deletedAt ? <span className="subtle">(deleted)</span> : <MessageText body={m.body} mentionNames={mentionNames} />}</div>
          </li>
        ))}
      </ul>
      {pendingChat.map((p) => (
        <PendingRow key={p.clientKey} pending={p} onRetry={() => review.retryChat(p.clientKey)} onDiscard={() => review.discardChat(p.clientKey)} onEdit={() => {
          setDraft(p.input.body);
          review.discardChat(p.clientKey);
        }} />
      ))}
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <MentionTextarea
          label="Chat message"
          value={draft}
          onChange={setDraft}
          onSubmit={() => void submit()}
          members={members.filter((m) => m.userId !== viewer?.id)}
          placeholder="Message the room… (@ to mention)"
          maxLength={MAX_LENGTH}
        />
        <div className="spread">
          {error ? <span className="error" role="alert">{error}</span> : <span />}
          <button type="submit">Send</button>
        </div>
      </form>
    </section>
  );
}
