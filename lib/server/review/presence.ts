import type { Server } from 'socket.io';
import { emitToRooms } from '@/lib/server/realtime/emitter';
import { projectRoom } from '@/lib/server/realtime/events';
import { guestTrackRoom, presenceRoom, type PresenceEntry } from './reviewEvents';

/** What the socket server keeps on each connection; read back across processes by fetchSockets. */
export interface PresenceSocketData {
  userId?: string;
  name: string;
  guest?: { shareLinkId: string; projectId: string; trackId: string };
  /** trackId -> projectId of the review rooms this socket is in. */
  tracks?: Record<string, string>;
}

/**
 * Who is in a track's room right now, one entry per person: several tabs (or a reconnect racing the old socket's
 * disconnect) count once, with the number of tabs.
 */
export async function computePresence(io: Server, trackId: string): Promise<PresenceEntry[]> {
  const sockets = await io.in(presenceRoom(trackId)).fetchSockets();
  const people = new Map<string, PresenceEntry>();
  for (const socket of sockets) {
    const data = socket.data as PresenceSocketData;
    const key = data.userId ? `user:${data.userId}` : `guest:${data.guest?.shareLinkId}:${data.name.toLowerCase()}`;
    const entry = people.get(key);
    if (entry) entry.tabs += 1;
    else people.set(key, { key, name: data.name, kind: data.userId ? 'member' : 'guest', tabs: 1 });
  }
  return [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function broadcastPresence(io: Server, projectId: string, trackId: string): Promise<void> {
  const people = await computePresence(io, trackId);
  await emitToRooms([projectRoom(projectId), guestTrackRoom(trackId)], 'presence:changed', { projectId, trackId, people });
}
