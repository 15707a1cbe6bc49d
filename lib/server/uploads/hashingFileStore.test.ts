import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { Upload } from '@tus/utils';
import { HashingFileStore } from './hashingFileStore';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function chunks(bytes: Buffer, size = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function newUpload(dir: string, size: number): Promise<{ store: HashingFileStore; id: string }> {
  const store = new HashingFileStore({ directory: dir });
  const id = randomBytes(16).toString('hex');
  await fs.promises.mkdir(dir, { recursive: true });
  await store.create({ id, size, offset: 0, metadata: {}, creation_date: new Date().toISOString() } as unknown as Upload);
  return { store, id };
}

test('hashes PATCH bodies as they stream in: the finished digest needs no read-back', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hash-store-'));
  const bytes = randomBytes(3 * 1024 * 1024 + 123);
  const { store, id } = await newUpload(dir, bytes.length);
  let offset = 0;
  for (const end of [1_000_000, 2_500_000, bytes.length]) {
    offset = await store.write(chunks(bytes.subarray(offset, end)), id, offset);
    assert.equal(offset, end);
  }
  const digest = await store.digest(id, bytes.length);
  assert.deepEqual(digest, { sha256: sha256(bytes), rehashedBytes: 0 });
  assert.deepEqual(fs.readFileSync(path.join(dir, id)), bytes);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an upload resumed by another process (or after a restart) catches up from disk once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hash-store-'));
  const bytes = randomBytes(2 * 1024 * 1024);
  const { store: first, id } = await newUpload(dir, bytes.length);
  await first.write(chunks(bytes.subarray(0, 700_000)), id, 0);
  const second = new HashingFileStore({ directory: dir });
  const offset = (await second.getUpload(id)).offset;
  assert.equal(offset, 700_000);
  await second.write(chunks(bytes.subarray(offset)), id, offset);
  assert.deepEqual(await second.digest(id, bytes.length), { sha256: sha256(bytes), rehashedBytes: 700_000 });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a body that breaks off mid-write leaves a hash that still matches the bytes on disk', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hash-store-'));
  const bytes = randomBytes(1024 * 1024);
  const { store, id } = await newUpload(dir, bytes.length);
  let reads = 0;
  const broken = new Readable({
    read() {
      // First some data (written to disk), then the connection dies.
      if (reads++ === 0) this.push(bytes.subarray(0, 300_000));
      else setTimeout(() => this.destroy(new Error('connection reset')), 100);
    },
  });
  await assert.rejects(store.write(broken, id, 0));
  const offset = (await store.getUpload(id)).offset;
  assert.equal(offset, 300_000, 'the bytes before the break are on disk');
  await store.write(chunks(bytes.subarray(offset)), id, offset);
  const digest = await store.digest(id, bytes.length);
  assert.equal(digest.sha256, sha256(bytes));
  assert.equal(digest.rehashedBytes, offset);
  fs.rmSync(dir, { recursive: true, force: true });
});
