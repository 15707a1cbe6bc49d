import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { LocalDiskStorage } from './localDiskStorage';
import { ObjectExistsError } from './storage';
import { InvalidStorageKeyError } from './storageKey';

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function tempStorage() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mr-storage-'));
  return { dir, storage: new LocalDiskStorage(path.join(dir, 'storage')) };
}

test('stores, reads ranges, stats and deletes an object', async () => {
  const { dir, storage } = await tempStorage();
  const info = await storage.putStream('assets/a1/original.wav', Readable.from([Buffer.from('0123456789')]));
  assert.equal(info.sizeBytes, 10);
  assert.equal((await readAll(await storage.createReadStream('assets/a1/original.wav', { start: 2, end: 4 }))).toString(), '234');
  const mode = (await fs.stat(path.join(dir, 'storage/assets/a1/original.wav'))).mode & 0o777;
  assert.equal(mode, 0o444, 'originals are read-only on disk');
  await storage.delete('assets/a1/original.wav');
  assert.equal(await storage.stat('assets/a1/original.wav'), null);
  await fs.rm(dir, { recursive: true, force: true });
});

test('never overwrites an existing object', async () => {
  const { dir, storage } = await tempStorage();
  await storage.putStream('assets/a2/original.wav', Readable.from([Buffer.from('first')]));
  await assert.rejects(storage.putStream('assets/a2/original.wav', Readable.from([Buffer.from('second')])), ObjectExistsError);
  const local = path.join(dir, 'upload.bin');
  await fs.writeFile(local, 'third');
  await assert.rejects(storage.putLocalFile('assets/a2/original.wav', local), ObjectExistsError);
  assert.equal((await readAll(await storage.createReadStream('assets/a2/original.wav'))).toString(), 'first');
  await fs.rm(dir, { recursive: true, force: true });
});

test('adopts a local file by moving it', async () => {
  const { dir, storage } = await tempStorage();
  const local = path.join(dir, 'upload.bin');
  await fs.writeFile(local, 'payload');
  const info = await storage.putLocalFile('assets/a3/original.flac', local);
  assert.equal(info.sizeBytes, 7);
  await assert.rejects(fs.access(local), 'the temporary upload is gone');
  await fs.rm(dir, { recursive: true, force: true });
});

test('refuses keys that could escape the root', async () => {
  const { dir, storage } = await tempStorage();
  for (const key of ['../etc/passwd', 'assets/../../x', '/etc/passwd', 'assets//x', 'assets/.hidden', '', 'a\\b', 'assets/x\0y']) {
    assert.throws(() => storage.resolve(key), InvalidStorageKeyError, key);
    await assert.rejects(storage.createReadStream(key), InvalidStorageKeyError, key);
  }
  await fs.rm(dir, { recursive: true, force: true });
});
