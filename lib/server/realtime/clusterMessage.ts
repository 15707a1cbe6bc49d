import type pg from 'pg';

/**
 * The wire format of socket.io's ClusterAdapter (socket.io-adapter 2.5, used by @socket.io/postgres-adapter 0.5) for
 * the two messages a process without its own socket.io server needs to send. The adapter reserves the uid "emitter"
 * for such senders. Writing it here rather than depending on @socket.io/postgres-emitter lets the caller await the
 * NOTIFY, so a worker that exits right after emitting still delivers.
 */
const CHANNEL = 'socket.io#/';
const EMITTER_UID = 'emitter';
const MESSAGE_BROADCAST = 3;
const MESSAGE_SOCKETS_LEAVE = 5;
const MESSAGE_DISCONNECT_SOCKETS = 6;
const PACKET_EVENT = 2;
/** PostgreSQL's NOTIFY payload limit; bigger messages would need the adapter's attachment table. */
const MAX_NOTIFY_BYTES = 7900;

async function publish(pool: pg.Pool, message: object): Promise<void> {
  const payload = JSON.stringify({ uid: EMITTER_UID, nsp: '/', ...message });
  if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) {
    throw new Error(`Realtime event too large for NOTIFY (${Buffer.byteLength(payload)} bytes); send an id and let clients fetch`);
  }
  await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
}

export function publishBroadcast(pool: pg.Pool, rooms: string[], event: string, data: unknown): Promise<void> {
  return publish(pool, {
    type: MESSAGE_BROADCAST,
    data: { packet: { type: PACKET_EVENT, data: [event, data], nsp: '/' }, opts: { rooms, except: [], flags: {} } },
  });
}

export function publishSocketsLeave(pool: pg.Pool, selectorRooms: string[], roomsToLeave: string[]): Promise<void> {
  return publish(pool, {
    type: MESSAGE_SOCKETS_LEAVE,
    data: { opts: { rooms: selectorRooms, except: [], flags: {} }, rooms: roomsToLeave },
  });
}

export function publishDisconnectSockets(pool: pg.Pool, selectorRooms: string[]): Promise<void> {
  return publish(pool, {
    type: MESSAGE_DISCONNECT_SOCKETS,
    data: { opts: { rooms: selectorRooms, except: [], flags: {} }, close: true },
  });
}
