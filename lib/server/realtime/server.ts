import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createAdapter } from '@socket.io/postgres-adapter';
import { Server, type Socket } from 'socket.io';
import { requireProjectRole } from '@/lib/server/access';
import { getSessionUserFromCookieHeader } from '@/lib/server/auth/sessionUser';
import { getPgPool } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { resolveShareToken } from '@/lib/server/review/guestSession';
import { guestNameSchema } from '@/lib/server/review/messageBody';
import { broadcastPresence, type PresenceSocketData } from '@/lib/server/review/presence';
import { guestTrackRoom, presenceRoom, shareLinkRoom } from '@/lib/server/review/reviewEvents';
import { getPrisma } from '@/lib/server/db/client';
import { registerLocalRealtimeServer } from './emitter';
import {
  CLIENT_EVENT_MIN_ROLE,
  clientEventSchemas,
  projectRoom,
  userRoom,
  type Ack,
  type ClientEventName,
} from './events';

type SocketData = PresenceSocketData;

/** The adapter stores payloads above NOTIFY's 8 kB limit here; created on start because it is not part of our schema. */
const ATTACHMENTS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS socket_io_attachments (
  id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`;

/** Browsers send Origin on WebSocket and polling requests; refuse other sites so a cookie cannot be ridden cross-site. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser (tests, server-to-server); the session cookie still has to be valid
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

type Handler = (socket: Socket, input: { projectId: string; trackId?: string }) => Promise<void>;

async function requireTrackInProject(projectId: string, trackId: string | undefined): Promise<string> {
  const track = trackId ? await getPrisma().track.findFirst({ where: { id: trackId, projectId }, select: { id: true } }) : null;
  if (!track) throw new ServiceError(404, 'not_found', 'Track not found');
  return track.id;
}

const handlers: Record<ClientEventName, Handler> = {
  'project:join': async (socket, { projectId }) => {
    await socket.join(projectRoom(projectId));
  },
  'project:leave': async (socket, { projectId }) => {
    await socket.leave(projectRoom(projectId));
  },
  'track:join': async (socket, { projectId, trackId }) => {
    const id = await requireTrackInProject(projectId, trackId);
    const data = socket.data as PresenceSocketData;
    data.tracks = { ...data.tracks, [id]: projectId };
    await socket.join(presenceRoom(id));
    await broadcastPresence(socket.nsp.server, projectId, id);
  },
  'track:leave': async (socket, { projectId, trackId }) => {
    const id = await requireTrackInProject(projectId, trackId);
    const data = socket.data as PresenceSocketData;
    if (data.tracks) delete data.tracks[id];
    await socket.leave(presenceRoom(id));
    await broadcastPresence(socket.nsp.server, projectId, id);
  },
};

/** Guests hold a review link instead of a session: checked now, and the link's room lets a revoke disconnect them. */
async function authenticateGuest(socket: Socket): Promise<boolean> {
  const auth = socket.handshake.auth as { shareToken?: unknown; guestName?: unknown } | undefined;
  if (!auth?.shareToken) return false;
  const access = await resolveShareToken(auth.shareToken);
  const name = guestNameSchema.safeParse(auth.guestName);
  const data = socket.data as PresenceSocketData;
  data.name = name.success ? name.data : 'Guest';
  data.guest = { shareLinkId: access.shareLinkId, projectId: access.projectId, trackId: access.trackId };
  data.tracks = { [access.trackId]: access.projectId };
  if (access.expiresAt) {
    // An open socket must not outlive its link's expiry.
    const timer = setTimeout(() => socket.disconnect(true), Math.min(access.expiresAt.getTime() - Date.now(), 2 ** 31 - 1));
    socket.once('disconnect', () => clearTimeout(timer));
  }
  return true;
}

export interface RealtimeServer {
  io: Server;
  close(): Promise<void>;
}

export async function attachRealtime(httpServer: HttpServer): Promise<RealtimeServer> {
  const pool = getPgPool();
  await pool.query(ATTACHMENTS_TABLE_SQL);
  const io = new Server<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>(httpServer, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, callback) => callback(null, sameOrigin(req)),
  });
  io.adapter(createAdapter(pool));

  io.use(async (socket, next) => {
    try {
      const user = await getSessionUserFromCookieHeader(socket.request.headers.cookie);
      if (!user) {
        if (await authenticateGuest(socket).catch(() => false)) return next();
        return next(new Error('unauthorized'));
      }
      socket.data.userId = user.id;
      socket.data.name = user.name;
      next();
    } catch (error) {
      next(error instanceof Error ? error : new Error('unauthorized'));
    }
  });

  io.on('connection', (socket) => {
    const guest = socket.data.guest;
    if (guest) {
      void socket.join([shareLinkRoom(guest.shareLinkId), guestTrackRoom(guest.trackId), presenceRoom(guest.trackId)]);
      void broadcastPresence(io as unknown as Server, guest.projectId, guest.trackId).catch(() => undefined);
    } else {
      void socket.join(userRoom(socket.data.userId!));
    }
    // Rooms are already left by the time 'disconnect' fires, so the recount no longer includes this socket.
    socket.on('disconnect', () => {
      for (const [trackId, projectId] of Object.entries(socket.data.tracks ?? {})) {
        void broadcastPresence(io as unknown as Server, projectId, trackId).catch(() => undefined);
      }
    });
    for (const name of Object.keys(clientEventSchemas) as ClientEventName[]) {
      socket.on(name, async (raw: unknown, ack?: (result: Ack) => void) => {
        const reply = typeof ack === 'function' ? ack : () => undefined;
        if (!socket.data.userId) return reply({ ok: false, status: 403, error: 'Guests cannot join project rooms' });
        const parsed = clientEventSchemas[name].safeParse(raw);
        if (!parsed.success) return reply({ ok: false, status: 400, error: 'Invalid event payload' });
        try {
          // Membership is checked on every event, not once per connection: roles change while sockets stay open.
          await requireProjectRole(socket.data.userId, parsed.data.projectId, CLIENT_EVENT_MIN_ROLE[name]);
          await handlers[name](socket, parsed.data);
          reply({ ok: true });
        } catch (error) {
          if (error instanceof ServiceError) return reply({ ok: false, status: error.status, error: error.message });
          console.error(`socket event ${name} failed`, error);
          reply({ ok: false, status: 500, error: 'Internal error' });
        }
      });
    }
  });

  registerLocalRealtimeServer(io as unknown as Server);
  return {
    io: io as unknown as Server,
    close: async () => {
      registerLocalRealtimeServer(undefined);
      io.disconnectSockets(true);
      // io.close() also closes the HTTP server it is attached to; the caller owns that, so only close the engine.
      io.engine.close();
      io.of('/').adapter.close?.();
    },
  };
}
