import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { getConfig } from '@/lib/server/config';
import { attachRealtime } from '@/lib/server/realtime/server';
import { DELIVERY_DOWNLOAD_PREFIX, handleDeliveryDownload } from '@/lib/server/review/deliveryDownload';
import {
  createUploadService,
  defaultUploadOptions,
  UPLOAD_PATH,
  type UploadServerOptions,
  type UploadService,
} from '@/lib/server/uploads/uploadServer';

export interface StartHttpServerOptions {
  port: number;
  dev: boolean;
  hostname?: string;
  /** Overrides for the upload area (tests shorten expiry and sweep by hand). */
  uploads?: Partial<UploadServerOptions>;
}

export interface RunningHttpServer {
  port: number;
  uploads: UploadService;
  close(): Promise<void>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * One HTTP port for everything: tus uploads (handled here, before Next, so bodies stream straight to disk and no
 * Next middleware can truncate them), socket.io (attached to the same server), and the Next.js app for the rest.
 */
export async function startHttpServer(options: StartHttpServerOptions): Promise<RunningHttpServer> {
  const config = getConfig();
  const hostname = options.hostname ?? process.env.HOST ?? '0.0.0.0';
  const app = next({ dev: options.dev, dir: repoRoot, hostname, port: options.port });
  const handleNext = app.getRequestHandler();
  await app.prepare();

  const uploads = createUploadService({ ...defaultUploadOptions(config.dataDir), ...options.uploads });

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0];
    const done = (error: unknown) => {
      console.error('[http]', req.method, pathname, error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('Internal error\n');
    };
    if (pathname === UPLOAD_PATH || pathname.startsWith(`${UPLOAD_PATH}/`)) {
      uploads.handle(req, res).catch(done);
      return;
    }
    // Delivery downloads keep their Content-Length here (Next route handlers drop it) so browsers show progress.
    if (pathname.startsWith(DELIVERY_DOWNLOAD_PREFIX)) {
      handleDeliveryDownload(req, res).catch(done);
      return;
    }
    Promise.resolve(handleNext(req, res)).catch(done);
  });
  // Large uploads: the default 5-minute request timeout would cut a slow 500 MB PATCH; tus resumes, but why make it.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  const realtime = await attachRealtime(server);

  if (options.dev) {
    const upgradeNext = app.getUpgradeHandler();
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket.io')) void upgradeNext(req, socket, head);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, hostname, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // next-auth builds absolute callback URLs from NEXTAUTH_URL; default it to where we actually listen.
  if (!process.env.NEXTAUTH_URL) process.env.NEXTAUTH_URL = process.env.PUBLIC_URL ?? `http://localhost:${port}`;

  return {
    port,
    uploads,
    async close() {
      uploads.close();
      await realtime.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close?.();
    },
  };
}
