// Socket.io clients for the review tests: a member (session cookie) or a guest (review token), and event waits.
import { io as connect, type Socket } from 'socket.io-client';
import type { WebUser } from './webClient';

export function openSocket(baseUrl: string, who: WebUser | { shareToken: string; guestName: string }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const member = 'cookie' in who;
    const socket = connect(baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: member ? { Cookie: who.cookie } : {},
      auth: member ? {} : { shareToken: who.shareToken, guestName: who.guestName },
      reconnection: false,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

export async function joinTrack(socket: Socket, projectId: string, trackId: string): Promise<void> {
  const a = (await socket.timeout(5000).emitWithAck('project:join', { projectId })) as { ok: boolean };
  if (!a.ok) throw new Error(`project:join refused: ${JSON.stringify(a)}`);
  const b = (await socket.timeout(5000).emitWithAck('track:join', { projectId, trackId })) as { ok: boolean };
  if (!b.ok) throw new Error(`track:join refused: ${JSON.stringify(b)}`);
}

/** Resolves with the first `event` payload matching `predicate`, or rejects after timeoutMs. */
export function nextEvent<T = any>(socket: Socket, event: string, predicate: (p: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}
