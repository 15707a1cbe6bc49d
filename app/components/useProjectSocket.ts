'use client';

import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';

type Handlers = Record<string, (payload: never) => void>;

/**
 * One socket per project page: joins the project's room (the server checks membership) and routes events to the
 * latest handlers. Rejoins after reconnects, since rooms live on the server side of a connection.
 */
export function useProjectSocket(projectId: string, handlers: Handlers): { live: boolean; joinError: string | null } {
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const [live, setLive] = useState(false);
  const [joinError, setJoinError] = useState<string | null>(null);

  useEffect(() => {
    const socket: Socket = io({ path: '/socket.io', withCredentials: true });
    const join = () =>
      socket.emit('project:join', { projectId }, (ack: { ok: boolean; error?: string }) => {
        setLive(ack.ok);
        setJoinError(ack.ok ? null : (ack.error ?? 'Could not join live updates'));
      });
    socket.on('connect', join);
    socket.on('disconnect', () => setLive(false));
    socket.onAny((event: string, payload: { projectId?: string }) => {
      if (payload?.projectId !== projectId) return;
      handlersRef.current[event]?.(payload as never);
    });
    return () => {
      socket.disconnect();
    };
  }, [projectId]);

  return { live, joinError };
}
