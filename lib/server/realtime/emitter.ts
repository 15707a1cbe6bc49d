import type { Server } from 'socket.io';
import { getPgPool } from '@/lib/server/db/client';
import { publishBroadcast, publishDisconnectSockets, publishSocketsLeave } from './clusterMessage';
import { projectRoom, serverEventSchemas, userRoom, type ServerEventName, type ServerEventPayload } from './events';

// Next bundles route handlers separately from the custom server, so module state is not shared between them;
// globalThis is, and it is how a route handler finds the socket.io server of its own process.
const IO_KEY = Symbol.for('mastering-room.realtime.io');
type Holder = { [IO_KEY]?: Server };

export function registerLocalRealtimeServer(io: Server | undefined): void {
  (globalThis as Holder)[IO_KEY] = io;
}

function localServer(): Server | undefined {
  return (globalThis as Holder)[IO_KEY];
}

/**
 * Broadcasts an event to everyone in a project's room, on every web process. Works from any process: web processes
 * go through their socket.io server (local delivery + postgres adapter), workers publish the adapter's NOTIFY directly.
 */
export async function emitProjectEvent<E extends ServerEventName>(
  projectId: string,
  event: E,
  payload: ServerEventPayload<E>,
): Promise<void> {
  const data = serverEventSchemas[event].parse(payload);
  const io = localServer();
  if (io) {
    io.to(projectRoom(projectId)).emit(event, data);
    return;
  }
  await publishBroadcast(getPgPool(), [projectRoom(projectId)], event, data);
}

/** After a membership is removed, that user's open sockets must stop receiving the project's events. */
export async function evictUserFromProject(userId: string, projectId: string): Promise<void> {
  const io = localServer();
  if (io) {
    io.in(userRoom(userId)).socketsLeave(projectRoom(projectId));
    return;
  }
  await publishSocketsLeave(getPgPool(), [userRoom(userId)], [projectRoom(projectId)]);
}

/** Broadcasts to arbitrary rooms (a user's own room, a guest track room) with the same validation as project events. */
export async function emitToRooms<E extends ServerEventName>(rooms: string[], event: E, payload: ServerEventPayload<E>): Promise<void> {
  const data = serverEventSchemas[event].parse(payload);
  const io = localServer();
  if (io) {
    io.to(rooms).emit(event, data);
    return;
  }
  await publishBroadcast(getPgPool(), rooms, event, data);
}

/** Closes every socket in a room on every process (a revoked guest link must stop listening at once). */
export async function disconnectRoom(room: string): Promise<void> {
  const io = localServer();
  if (io) {
    io.in(room).disconnectSockets(true);
    return;
  }
  await publishDisconnectSockets(getPgPool(), [room]);
}

/** When a project is deleted nobody may keep listening to it. */
export async function closeProjectRoom(projectId: string): Promise<void> {
  const io = localServer();
  if (io) {
    io.in(projectRoom(projectId)).socketsLeave(projectRoom(projectId));
    return;
  }
  await publishSocketsLeave(getPgPool(), [projectRoom(projectId)], [projectRoom(projectId)]);
}
