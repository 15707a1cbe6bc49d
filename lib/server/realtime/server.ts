import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createAdapter } from '@socket.io/postgres-adapter';
import { Server, type Socket } from 'socket.io';
import { requireProjectRole } from '@/lib/server/access';
import { getSessionUserFromCookieHeader } from '@/lib/server/auth/sessionUser';
import { getPgPool } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { registerLocalRealtimeServer } from './emitter';
import {
  CLIENT_EVENT_MIN_ROLE,
  clientEventSchemas,
  projectRoom,
  userRoom,
  type Ack,
  type ClientEventName,
} from './events';

interface SocketData {
  userId: string;
}

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

type Handler = (socket: Socket, input: { projectId: string }) => Promise<void>;

const handlers: Record<ClientEventName, Handler> = {
  'project:join': async (socket, { projectId }) => {
    await socket.join(projectRoom(projectId));
  },
  'project:leave': async (socket, { projectId }) => {
    await socket.leave(projectRoom(projectId));
  },
};

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
      if (!user) return next(new Error('unauthorized'));
      socket.data.userId = user.id;
      next();
    } catch (error) {
      next(error instanceof Error ? error : new Error('unauthorized'));
    }
  });

  io.on('connection', (socket) => {
    void socket.join(userRoom(socket.data.userId));
    for (const name of Object.keys(clientEventSchemas) as ClientEventName[]) {
      socket.on(name, async (raw: unknown, ack?: (result: Ack) => void) => {
        const reply = typeof ack === 'function' ? ack : () => undefined;
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
