import { emitToRooms } from '@/lib/server/realtime/emitter';
import { projectRoom, type ServerEventName, type ServerEventPayload } from '@/lib/server/realtime/events';
import { guestTrackRoom } from './reviewEvents';

/** Sends a track's review event to the project's members and, when guests may see it, to the track's guest room. */
export function broadcastToTrack<E extends ServerEventName>(
  projectId: string,
  trackId: string,
  event: E,
  payload: ServerEventPayload<E>,
  options: { guests: boolean },
): Promise<void> {
  const rooms = options.guests ? [projectRoom(projectId), guestTrackRoom(trackId)] : [projectRoom(projectId)];
  return emitToRooms(rooms, event, payload);
}
