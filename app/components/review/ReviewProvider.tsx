'use client';

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ApprovalDto, ChatMessageDto, CommentDto, PresenceEntry } from '@/lib/server/review/reviewEvents';
import { newClientKey, postWithRetry } from './sendWithRetry';
import './review.css';

export type Role = 'owner' | 'engineer' | 'artist' | 'viewer';
export interface ReviewViewer {
  id: string;
  name: string;
  role: Role;
}
export interface GuestIdentity {
  token: string;
  name: string;
}
export interface Member {
  userId: string;
  name: string;
}

/** A send that has not reached the server yet: shown in the list as "sending…" or "not sent — retry". */
export interface PendingSend<I> {
  clientKey: string;
  input: I;
  state: 'sending' | 'failed';
  error?: string;
}

export interface NewCommentInput {
  assetId: string;
  body: string;
  timeSeconds?: number | null;
  endSeconds?: number | null;
  parentId?: string | null;
}

type Listener = (payload: any) => void;

interface ReviewContextValue {
  projectId: string;
  trackId: string;
  viewer: ReviewViewer | null;
  guest: GuestIdentity | null;
  live: boolean;
  /** Set when a guest link stops working (revoked or expired) while the page is open. */
  linkRevoked: boolean;
  comments: CommentDto[];
  pendingComments: PendingSend<NewCommentInput>[];
  sendComment(input: NewCommentInput): Promise<boolean>;
  retryComment(clientKey: string): void;
  discardComment(clientKey: string): void;
  editComment(id: string, body: string): Promise<string | null>;
  setResolved(id: string, resolved: boolean): Promise<string | null>;
  deleteComment(id: string): Promise<string | null>;
  chat: ChatMessageDto[];
  pendingChat: PendingSend<{ body: string }>[];
  sendChat(body: string): Promise<boolean>;
  retryChat(clientKey: string): void;
  discardChat(clientKey: string): void;
  presence: PresenceEntry[];
  approvals: Record<string, ApprovalDto>;
  setApproval(assetId: string, approval: ApprovalDto | null): void;
  members: Member[];
  /** Increments when delivery files or track metadata change, so panels refetch. */
  deliveriesTick: number;
  metadataTick: number;
  subscribe(event: string, listener: Listener): () => void;
}

const ReviewContext = createContext<ReviewContextValue | null>(null);

/** A local event (never sent by the server): the socket is back after a drop and its catch-up has started. */
export const RECONNECTED = 'review:reconnected';

export function useReview(): ReviewContextValue {
  const value = useContext(ReviewContext);
  if (!value) throw new Error('Review components must be inside <ReviewProvider>');
  return value;
}

/** Comment markers for the waveform: top-level, not deleted, with a time. */
export function useCommentMarkers(): {
  id: string;
  assetId: string;
  timeSeconds: number;
  endSeconds: number | null;
  resolved: boolean;
  author: string;
  body: string;
}[] {
  const { comments } = useReview();
  return useMemo(
    () =>
      comments
        .filter((c) => !c.parentId && !c.deletedAt && c.timeSeconds != null)
        .map((c) => ({
          id: c.id,
          assetId: c.assetId,
          timeSeconds: c.timeSeconds!,
          endSeconds: c.endSeconds,
          resolved: !!c.resolvedAt,
          author: c.author?.name ?? `${c.guestName} (guest)`,
          body: c.body,
        })),
    [comments],
  );
}

/** Listen to any event on the review socket (project room: job:progress, asset:created…) without a second socket. */
export function useReviewEvents(handlers: Record<string, Listener>): void {
  const { subscribe } = useReview();
  const ref = useRef(handlers);
  ref.current = handlers;
  const names = Object.keys(handlers).sort().join('|');
  useEffect(() => {
    const offs = names.split('|').filter(Boolean).map((name) => subscribe(name, (p) => ref.current[name]?.(p)));
    return () => offs.forEach((off) => off());
  }, [names, subscribe]);
}

/** Newer wins: an event that arrives after a refetch (or twice) can never roll a row back. */
function mergeById<T extends { id: string; updatedAt: string; createdAt: string }>(list: T[], incoming: T[]): T[] {
  if (incoming.length === 0) return list;
  const byId = new Map(list.map((x) => [x.id, x]));
  for (const item of incoming) {
    const current = byId.get(item.id);
    if (!current || current.updatedAt <= item.updatedAt) byId.set(item.id, item);
  }
  return [...byId.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw Object.assign(new Error(`GET ${url}: ${res.status}`), { status: res.status });
  return res.json() as Promise<T>;
}

export function ReviewProvider({
  projectId,
  trackId,
  viewer = null,
  guest = null,
  children,
}: {
  projectId: string;
  trackId: string;
  viewer?: ReviewViewer | null;
  guest?: GuestIdentity | null;
  children: ReactNode;
}) {
  const [comments, setComments] = useState<CommentDto[]>([]);
  const [pendingComments, setPendingComments] = useState<PendingSend<NewCommentInput>[]>([]);
  const [chat, setChat] = useState<ChatMessageDto[]>([]);
  const [pendingChat, setPendingChat] = useState<PendingSend<{ body: string }>[]>([]);
  const [presence, setPresence] = useState<PresenceEntry[]>([]);
  const [approvals, setApprovals] = useState<Record<string, ApprovalDto>>({});
  const [members, setMembers] = useState<Member[]>([]);
  const [live, setLive] = useState(false);
  const [linkRevoked, setLinkRevoked] = useState(false);
  const [deliveriesTick, setDeliveriesTick] = useState(0);
  const [metadataTick, setMetadataTick] = useState(0);
  const listeners = useRef(new Map<string, Set<Listener>>());
  const since = useRef<{ comments?: string; chat?: string }>({});

  const commentsUrl = guest ? `/api/review/${guest.token}/comments` : `/api/tracks/${trackId}/comments`;

  const subscribe = useCallback((event: string, listener: Listener) => {
    let set = listeners.current.get(event);
    if (!set) listeners.current.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }, []);

  /** Catch-up after (re)connecting: only what changed since the last server time we saw. */
  const catchUp = useCallback(async () => {
    try {
      const c = await getJson<{ comments: CommentDto[]; serverTime: string }>(
        since.current.comments ? `${commentsUrl}?since=${encodeURIComponent(since.current.comments)}` : commentsUrl,
      );
      since.current.comments = c.serverTime;
      setComments((list) => mergeById(list, c.comments));
      if (guest) return;
      const [m, a, members] = await Promise.all([
        getJson<{ messages: ChatMessageDto[]; serverTime: string }>(
          since.current.chat ? `/api/tracks/${trackId}/chat?since=${encodeURIComponent(since.current.chat)}` : `/api/tracks/${trackId}/chat`,
        ),
        getJson<Record<string, ApprovalDto>>(`/api/tracks/${trackId}/approvals`),
        getJson<{ members: Member[] }>(`/api/projects/${projectId}/members`),
      ]);
      since.current.chat = m.serverTime;
      setChat((list) => mergeById(list, m.messages));
      setApprovals(a);
      setMembers(members.members.map((x) => ({ userId: x.userId, name: x.name })));
      setDeliveriesTick((n) => n + 1);
    } catch (error) {
      if (guest && (error as { status?: number }).status === 404) setLinkRevoked(true);
    }
  }, [commentsUrl, guest, projectId, trackId]);

  useEffect(() => {
    const socket: Socket = io({
      path: '/socket.io',
      withCredentials: true,
      auth: guest ? { shareToken: guest.token, guestName: guest.name } : undefined,
    });
    let connectedBefore = false;
    const mine = (p: { trackId?: string; projectId?: string }) => p?.projectId === projectId && (!p.trackId || p.trackId === trackId);
    socket.on('connect', () => {
      if (guest) {
        setLive(true);
        void catchUp();
        return;
      }
      socket.emit('project:join', { projectId }, (ack: { ok: boolean }) => {
        setLive(ack.ok);
        if (ack.ok) socket.emit('track:join', { projectId, trackId });
        // Catch up once the room is joined: anything newer than this request arrives as an event, nothing falls
        // between the two. On a reconnect, the rest of the page (versions, renders) refetches too.
        void catchUp();
        if (connectedBefore) listeners.current.get(RECONNECTED)?.forEach((fn) => fn({}));
        connectedBefore = true;
      });
    });
    socket.on('disconnect', (reason) => {
      setLive(false);
      // The server closed a guest's socket: the link was revoked or expired. Confirm with a request, then say so.
      if (guest && reason === 'io server disconnect') void catchUp();
    });
    socket.on('connect_error', () => {
      setLive(false);
      if (guest) void catchUp();
    });
    socket.onAny((event: string, payload: any) => {
      if (event === 'notification:new') return;
      if (!mine(payload)) return;
      if (event === 'comment:upserted') setComments((list) => mergeById(list, [payload.comment]));
      else if (event === 'chat:upserted') setChat((list) => mergeById(list, [payload.message]));
      else if (event === 'presence:changed') setPresence(payload.people);
      else if (event === 'approval:changed') {
        setApprovals((map) => {
          const next = { ...map };
          if (payload.approval) next[payload.assetId] = payload.approval;
          else delete next[payload.assetId];
          return next;
        });
        setDeliveriesTick((n) => n + 1);
      } else if (event === 'export:changed' || event === 'export:updated') {
        setDeliveriesTick((n) => n + 1);
        // A first delivery download makes an approval final: the revoke button must go.
        if (!guest) void getJson<Record<string, ApprovalDto>>(`/api/tracks/${trackId}/approvals`).then(setApprovals).catch(() => undefined);
      }
      else if (event === 'job:progress' && payload.type === 'export' && payload.state !== 'active') setDeliveriesTick((n) => n + 1);
      else if (event === 'trackMetadata:updated') setMetadataTick((n) => n + 1);
      else if (event === 'members:changed' && !guest) {
        void getJson<{ members: Member[] }>(`/api/projects/${projectId}/members`)
          .then((m) => setMembers(m.members.map((x) => ({ userId: x.userId, name: x.name }))))
          .catch(() => undefined);
      }
      listeners.current.get(event)?.forEach((fn) => fn(payload));
    });
    return () => {
      socket.disconnect();
    };
  }, [projectId, trackId, guest, catchUp]);

  const runCommentSend = useCallback(
    async (clientKey: string, input: NewCommentInput) => {
      setPendingComments((list) => list.map((p) => (p.clientKey === clientKey ? { ...p, state: 'sending', error: undefined } : p)));
      const body = guest ? { ...input, clientKey, guestName: guest.name } : { ...input, clientKey };
      const outcome = await postWithRetry<CommentDto>(commentsUrl, body);
      if (outcome.ok) {
        setComments((list) => mergeById(list, [outcome.data]));
        setPendingComments((list) => list.filter((p) => p.clientKey !== clientKey));
        return true;
      }
      setPendingComments((list) => list.map((p) => (p.clientKey === clientKey ? { ...p, state: 'failed', error: outcome.error } : p)));
      return false;
    },
    [commentsUrl, guest],
  );

  const pendingCommentsRef = useRef(pendingComments);
  pendingCommentsRef.current = pendingComments;
  const pendingChatRef = useRef(pendingChat);
  pendingChatRef.current = pendingChat;

  const runChatSend = useCallback(
    async (clientKey: string, text: string) => {
      setPendingChat((list) => list.map((p) => (p.clientKey === clientKey ? { ...p, state: 'sending', error: undefined } : p)));
      const outcome = await postWithRetry<ChatMessageDto>(`/api/tracks/${trackId}/chat`, { body: text, clientKey });
      if (outcome.ok) {
        setChat((list) => mergeById(list, [outcome.data]));
        setPendingChat((list) => list.filter((p) => p.clientKey !== clientKey));
        return true;
      }
      setPendingChat((list) => list.map((p) => (p.clientKey === clientKey ? { ...p, state: 'failed', error: outcome.error } : p)));
      return false;
    },
    [trackId],
  );

  const patch = useCallback(async (id: string, method: 'PATCH' | 'DELETE', body?: unknown): Promise<string | null> => {
    try {
      const res = await fetch(`/api/comments/${id}`, {
        method,
        headers: body ? { 'Content-Type': 'application/json' } : undefined,
        body: body ? JSON.stringify(body) : undefined,
      });
      if (res.status === 204) return null;
      const data = await res.json().catch(() => ({}));
      if (!res.ok) return data.error ?? `Failed (${res.status})`;
      setComments((list) => mergeById(list, [data as CommentDto]));
      return null;
    } catch {
      return 'The connection dropped; try again';
    }
  }, []);

  const value: ReviewContextValue = {
    projectId,
    trackId,
    viewer,
    guest,
    live,
    linkRevoked,
    comments,
    pendingComments,
    sendComment: async (input) => {
      const clientKey = newClientKey();
      setPendingComments((list) => [...list, { clientKey, input, state: 'sending' }]);
      return runCommentSend(clientKey, input);
    },
    retryComment: (clientKey) => {
      const p = pendingCommentsRef.current.find((x) => x.clientKey === clientKey);
      if (p) void runCommentSend(clientKey, p.input);
    },
    discardComment: (clientKey) => setPendingComments((list) => list.filter((p) => p.clientKey !== clientKey)),
    editComment: (id, body) => patch(id, 'PATCH', { body }),
    setResolved: (id, resolved) => patch(id, 'PATCH', { resolved }),
    deleteComment: async (id) => {
      const error = await patch(id, 'DELETE');
      if (!error) void catchUp();
      return error;
    },
    chat,
    pendingChat,
    sendChat: async (body) => {
      const clientKey = newClientKey();
      setPendingChat((list) => [...list, { clientKey, input: { body }, state: 'sending' }]);
      return runChatSend(clientKey, body);
    },
    retryChat: (clientKey) => {
      const p = pendingChatRef.current.find((x) => x.clientKey === clientKey);
      if (p) void runChatSend(clientKey, p.input.body);
    },
    discardChat: (clientKey) => setPendingChat((list) => list.filter((p) => p.clientKey !== clientKey)),
    presence,
    approvals,
    setApproval: (assetId, approval) =>
      setApprovals((map) => {
        const next = { ...map };
        if (approval) next[assetId] = approval;
        else delete next[assetId];
        return next;
      }),
    members,
    deliveriesTick,
    metadataTick,
    subscribe,
  };
  return <ReviewContext.Provider value={value}>{children}</ReviewContext.Provider>;
}
