// Storage <-> files for job handlers: the decoders want paths and storage hands out streams, so stored objects are
// copied to private temp files first; derived files are stored under fresh keys.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { getStorage } from '../lib/server/storage/defaultStorage';
import { assertStorageKey } from '../lib/server/storage/storageKey';

/**
 * Copies stored objects to private temp files named after the user's file names (decode errors name them) and runs
 * `fn` on the paths; the copies are removed afterwards whatever happens.
 */
export async function withLocalCopies<T>(items: { storageKey: string; displayName: string }[], fn: (paths: string[]) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mr-job-'));
  try {
    const paths: string[] = [];
    for (const [i, item] of items.entries()) {
      const safeName = item.displayName.replace(/[^A-Za-z0-9._ -]/g, '_').slice(-120) || 'audio';
      const sub = path.join(dir, String(i));
      await fs.mkdir(sub);
      const file = path.join(sub, safeName);
      await pipeline(await getStorage().createReadStream(item.storageKey), createWriteStream(file));
      paths.push(file);
    }
    return await fn(paths);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Objects are immutable, so every derived file gets a new key (a re-analysis never overwrites the old peaks). */
export function derivedAssetKey(assetId: string, name: string, extension: string): string {
  const key = `assets/${assetId}/${name}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}.${extension}`;
  assertStorageKey(key);
  return key;
}

export async function putBytes(key: string, bytes: Uint8Array): Promise<number> {
  const info = await getStorage().putStream(key, Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]));
  return info.sizeBytes;
}
