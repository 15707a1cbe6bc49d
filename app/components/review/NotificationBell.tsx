'use client';

import { useEffect, useState } from 'react';
import { io } from 'socket.io-client';
import type { NotificationDto } from '@/lib/server/review/reviewEvents';
import './review.css';

/**
 * The bell in the top bar: unread count and the latest notifications (new comments, mentions, versions, approvals).
 * New ones arrive live on the user's own socket room, on any page.
 */
export function NotificationBell() {
  const [items, setItems] = useState<NotificationDto[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    let alive = true;
    const load = () =>
      fetch('/api/notifications', { cache: 'no-store' })
        .then((r) => (r.ok ? r.json() : null))
        .then((data: { unread: number; items: NotificationDto[] } | null) => {
          if (!alive || !data) return;
          setItems(data.items);
          setUnread(data.unread);
        })
        .catch(() => undefined);
    void load();
    const socket = io({ path: '/socket.io', withCredentials: true });
    // After a drop, anything that arrived meanwhile is only in the database.
    socket.on('connect', () => void load());
    socket.on('notification:new', (payload: { notification: NotificationDto }) => {
      setItems((list) => (list.some((n) => n.id === payload.notification.id) ? list : [payload.notification, ...list].slice(0, 50)));
      setUnread((n) => n + 1);
    });
    return () => {
      alive = false;
      socket.disconnect();
    };
  }, []);

  const markAllRead = async () => {
    const res = await fetch('/api/notifications', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    if (!res.ok) return;
    setUnread(0);
    setItems((list) => list.map((n) => ({ ...n, readAt: n.readAt ?? new Date().toISOString() })));
  };

  return (
    <div className="bell">
      <button type="button" className="ghost bell-button" aria-label={`Notifications (${unread} unread)`} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {unread > 0 && (
          <span className="bell-count" data-testid="unread-count">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-panel panel" role="dialog" aria-label="Notifications">
          <div className="spread">
            <strong>Notifications</strong>
            <button type="button" className="ghost small" onClick={markAllRead} disabled={unread === 0}>
              Mark all read
            </button>
          </div>
          {items.length === 0 && <div className="empty">Nothing yet.</div>}
          <ul className="list">
            {items.map((n) => (
              <li key={n.id} className={`notification${n.readAt ? '' : ' unread'}`} data-testid="notification">
                {n.link ? (
                  <a
                    href={n.link}
                    onClick={async (e) => {
                      // Following a notification reads it. A plain click waits for that before leaving, so the next
                      // page's count is already right; a new-tab click just lets the request run (keepalive).
                      if (n.readAt) return;
                      const read = fetch('/api/notifications', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids: [n.id] }), keepalive: true }).catch(() => undefined);
                      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                      e.preventDefault();
                      await read;
                      window.location.assign(n.link!);
                    }}
                  >
                    {n.text}
                  </a>
                ) : (
                  n.text
                )}
                <div className="subtle">{new Date(n.createdAt).toLocaleString()}</div>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
