// A ready master version and a rendered delivery file, written straight into storage and the database: the review
// tests exercise approval and download rules, not the render (tests/review-player-master.test.ts covers that).
import { getPrisma } from '../../lib/server/db/client';
import { newId } from '../../lib/server/projects/ids';
import { getStorage } from '../../lib/server/storage/defaultStorage';
import { Readable } from 'node:stream';

export async function createReadyMaster(trackId: string, bytes: Uint8Array): Promise<string> {
  const id = newId();
  const storageKey = `assets/${id}/original.wav`;
  await getStorage().putStream(storageKey, Readable.from([Buffer.from(bytes)]));
  const prisma = getPrisma();
  const last = await prisma.asset.aggregate({ where: { trackId, kind: 'master' }, _max: { version: true } });
  await prisma.asset.create({
    data: {
      id,
      trackId,
      kind: 'master',
      version: (last._max.version ?? 0) + 1,
      originalName: 'master.wav',
      storageKey,
      sha256: '0'.repeat(64),
      byteSize: BigInt(bytes.length),
      container: 'wav',
      codec: 'pcm',
      sampleRate: 44100,
      channels: 2,
      bitsPerSample: 16,
      durationSeconds: 1,
      status: 'ready',
    },
  });
  return id;
}

export async function createRenderedDelivery(assetId: string, format: string, bytes: Uint8Array): Promise<string> {
  const id = newId();
  const storageKey = `exports/${id}/delivery.bin`;
  await getStorage().putStream(storageKey, Readable.from([Buffer.from(bytes)]));
  await getPrisma().export.create({
    data: { id, assetId, format, sampleRate: 44100, storageKey, byteSize: BigInt(bytes.length), sha256: '0'.repeat(64), status: 'completed' },
  });
  return id;
}
