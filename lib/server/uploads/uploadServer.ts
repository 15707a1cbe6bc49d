import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { Server as TusServer } from '@tus/server';
import type { Upload } from '@tus/utils';
import { probeAudio, PROBE_HEAD_BYTES, sniffContainer, describeUnsupported } from '@/lib/audio/decode/probe';
import { AudioFormatError } from '@/lib/audio/types';
import { requireTrackAction } from '@/lib/server/access';
import { getSessionUser, type SessionUser } from '@/lib/server/auth/sessionUser';
import { createUploadedAsset, toAssetSummary } from '@/lib/server/projects/assets';
import { newId } from '@/lib/server/projects/ids';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { emitProjectEvent } from '@/lib/server/realtime/emitter';
import { getStorage } from '@/lib/server/storage/defaultStorage';
import { notifyNewVersion } from '@/lib/server/review/versionNotifications';
import { originalAssetKey } from '@/lib/server/storage/storageKey';
import { enqueueAnalysis, cancelAssetOnEnqueueFailure } from './analysisQueue';
import { extensionForContainer } from './containerExtension';
import { readHeadAndTail } from './fileDigest';
import { HashingFileStore } from './hashingFileStore';
import {
  clientUploadMetadataSchema,
  MAX_METADATA_HEADER_BYTES,
  storedUploadMetadataSchema,
  type StoredUploadMetadata,
} from './uploadMetadata';

export const UPLOAD_PATH = '/api/uploads';
const TAIL_BYTES = 256 * 1024;
/** Enough of the head for sniffContainer to tell audio from not-audio while an upload is still in progress. */
const SNIFF_BYTES = 64 * 1024;
/** tus ids from the default naming function: 32 hex chars. Anything else never reaches the file store. */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

export interface UploadServerOptions {
  /** Where partial uploads live; must be on the same filesystem as storage so finishing is a rename, not a copy. */
  directory: string;
  maxUploadBytes: number;
  /** Unfinished uploads older than this are deleted (file and metadata). */
  expiryMs: number;
  /** How often expired partials are swept; 0 disables the timer (tests sweep by hand). */
  sweepIntervalMs: number;
}

export function defaultUploadOptions(dataDir: string): UploadServerOptions {
  return {
    directory: path.join(dataDir, 'uploads'),
    maxUploadBytes: Number(process.env.UPLOAD_MAX_BYTES ?? 8 * 1024 ** 3),
    expiryMs: Number(process.env.UPLOAD_EXPIRY_HOURS ?? 24) * 3600_000,
    sweepIntervalMs: 15 * 60_000,
  };
}

/** tus turns a thrown { status_code, body } into the response; the body is what the browser shows the user. */
interface TusHttpError {
  status_code: number;
  body: string;
}
const httpError = (status: number, message: string): TusHttpError => ({ status_code: status, body: `${message}\n` });
const fromServiceError = (error: ServiceError): TusHttpError => httpError(error.status, error.message);

function parseStoredMetadata(upload: Upload): StoredUploadMetadata | null {
  const parsed = storedUploadMetadataSchema.safeParse(upload.metadata ?? {});
  return parsed.success ? parsed.data : null;
}

export interface UploadService {
  /** Node handler for everything under UPLOAD_PATH. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Deletes unfinished uploads past their expiry; returns how many were removed. */
  sweepExpired(): Promise<number>;
  close(): void;
  directory: string;
}

export function createUploadService(options: UploadServerOptions): UploadService {
  // sha256 is computed as the bytes arrive (HashingFileStore), so finishing does not read the whole file again.
  const store = new HashingFileStore({ directory: options.directory, expirationPeriodInMilliseconds: options.expiryMs });
  const callers = new WeakMap<object, SessionUser>();
  const partialPath = (id: string) => path.join(options.directory, id);

  async function removeUpload(id: string): Promise<void> {
    store.forget(id);
    await store.remove(id).catch(() => undefined);
    // remove() stops at the first missing piece; make sure neither half survives.
    await fs.rm(partialPath(id), { force: true });
    await fs.rm(`${partialPath(id)}.json`, { force: true });
  }

  async function rejectIfNotAudioSoFar(id: string): Promise<void> {
    let head: Buffer;
    const handle = await fs.open(partialPath(id), 'r').catch(() => null);
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      if (size < SNIFF_BYTES) return;
      head = Buffer.alloc(SNIFF_BYTES);
      await handle.read(head, 0, SNIFF_BYTES, 0);
    } finally {
      await handle.close();
    }
    if (sniffContainer(head) === null) {
      await removeUpload(id);
      throw httpError(415, `Rejected: ${describeUnsupported(head)}`);
    }
  }

  const tus = new TusServer({
    path: UPLOAD_PATH,
    datastore: store,
    relativeLocation: true,
    maxSize: options.maxUploadBytes,
    respectForwardedHeaders: false,
    // Every request is authenticated, and continuing an upload is only allowed to the user who started it.
    async onIncomingRequest(req, id) {
      const user = await getSessionUser(req);
      if (!user) throw httpError(401, 'Sign in to upload');
      callers.set(req, user);
      if (req.method === 'POST') {
        const metadataHeader = req.headers.get('upload-metadata') ?? '';
        if (Buffer.byteLength(metadataHeader) > MAX_METADATA_HEADER_BYTES) {
          throw httpError(400, `Upload metadata is larger than ${MAX_METADATA_HEADER_BYTES} bytes`);
        }
        return;
      }
      if (!UPLOAD_ID.test(id)) throw httpError(404, 'Upload not found');
      const upload = await store.getUpload(id).catch(() => null);
      const meta = upload && parseStoredMetadata(upload);
      if (!upload || !meta || meta.userId !== user.id) throw httpError(404, 'Upload not found');
      if (req.method === 'PATCH') await rejectIfNotAudioSoFar(id);
    },
    async onUploadCreate(req, upload) {
      const user = callers.get(req);
      if (!user) throw httpError(401, 'Sign in to upload');
      if (upload.sizeIsDeferred || upload.size === undefined) throw httpError(400, 'Upload-Length is required');
      if (upload.size === 0) throw httpError(400, 'The file is empty (0 bytes)');
      const parsed = clientUploadMetadataSchema.safeParse(upload.metadata ?? {});
      if (!parsed.success) throw httpError(400, parsed.error.issues.map((i) => i.message).join('; '));
      let projectId: string;
      try {
        ({ projectId } = await requireTrackAction(user.id, parsed.data.trackId, 'asset.upload'));
      } catch (error) {
        if (error instanceof ServiceError) throw fromServiceError(error);
        throw error;
      }
      const stored: StoredUploadMetadata = { ...parsed.data, userId: user.id, projectId };
      return { metadata: Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== undefined)) as Record<string, string> };
    },
    async onUploadFinish(req, upload) {
      const user = callers.get(req);
      const meta = parseStoredMetadata(upload);
      if (!user || !meta || meta.userId !== user.id) {
        await removeUpload(upload.id);
        throw httpError(404, 'Upload not found');
      }
      try {
        const assetId = await finishUpload(upload.id, meta);
        return { headers: { 'Upload-Asset-Id': assetId } };
      } catch (error) {
        await removeUpload(upload.id);
        if (error instanceof ServiceError) throw fromServiceError(error);
        if (error instanceof AudioFormatError) throw httpError(415, `Rejected: ${error.message}`);
        console.error('[uploads] finishing upload failed', error);
        throw httpError(500, 'The upload arrived but could not be stored; please try again');
      }
    },
    onResponseError(_req, error) {
      if (error instanceof Error && !('status_code' in error)) {
        console.error('[uploads]', error);
        return { status_code: 500, body: 'Upload failed on the server\n' };
      }
      return undefined;
    },
  });

  /** Validates, hashes and files a completed upload; returns the new asset id. Leaves nothing behind on failure. */
  async function finishUpload(uploadId: string, meta: StoredUploadMetadata): Promise<string> {
    // Roles can change during a long upload; check again before anything is created.
    const { projectId } = await requireTrackAction(meta.userId, meta.trackId, 'asset.upload');
    const file = partialPath(uploadId);
    const { head, tail, sizeBytes } = await readHeadAndTail(file, PROBE_HEAD_BYTES, TAIL_BYTES);
    const format = probeAudio(head, sizeBytes, tail);
    const { sha256, rehashedBytes } = await store.digest(uploadId, sizeBytes);
    if (rehashedBytes > 0) console.log(`[uploads] ${uploadId}: ${rehashedBytes} bytes hashed from disk (resumed in another process or after a restart)`);
    const assetId = newId();
    const storageKey = originalAssetKey(assetId, extensionForContainer(format.container));
    const storage = getStorage();
    await storage.putLocalFile(storageKey, file);
    let asset;
    try {
      asset = await createUploadedAsset({
        id: assetId,
        trackId: meta.trackId,
        kind: meta.kind,
        originalName: meta.filename,
        storageKey,
        sha256,
        byteSize: sizeBytes,
        container: format.container,
        codec: format.codec,
        sampleRate: format.sampleRate,
        channels: format.channelCount,
        bitsPerSample: format.bitsPerSample ?? null,
        durationSeconds: Number.isFinite(format.durationSeconds) ? format.durationSeconds : null,
        uploadedById: meta.userId,
      });
    } catch (error) {
      await storage.delete(storageKey);
      throw error;
    }
    try {
      await enqueueAnalysis({ projectId, trackId: meta.trackId, assetId, createdById: meta.userId });
    } catch (error) {
      // An asset nobody will ever analyse is a half-written asset: undo it and let the user retry.
      await cancelAssetOnEnqueueFailure(assetId);
      await storage.delete(storageKey);
      throw error;
    }
    await fs.rm(`${file}.json`, { force: true });
    await emitProjectEvent(projectId, 'asset:created', { projectId, asset: toAssetSummary(asset) }).catch((error) =>
      console.error('[uploads] could not broadcast asset:created', error),
    );
    await notifyNewVersion(assetId, meta.userId);
    return assetId;
  }

  const timer =
    options.sweepIntervalMs > 0
      ? setInterval(() => void tus.cleanUpExpiredUploads().catch((e) => console.error('[uploads] sweep failed', e)), options.sweepIntervalMs)
      : undefined;
  timer?.unref();

  return {
    directory: options.directory,
    async handle(req, res) {
      // tus' GET would stream any partial upload to anyone who knows its id: uploads are write-only here.
      if (req.method === 'GET') {
        res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'POST, HEAD, PATCH, DELETE, OPTIONS' }).end('Method not allowed\n');
        return;
      }
      await tus.handle(req, res);
    },
    sweepExpired: () => tus.cleanUpExpiredUploads(),
    close: () => clearInterval(timer),
  };
}

