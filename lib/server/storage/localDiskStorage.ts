import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertStorageKey } from './storageKey';
import { ObjectExistsError, ObjectNotFoundError, type ByteRange, type Storage, type StoredObjectInfo } from './storage';

/** Stored objects are read-only on disk so nothing in this process (or a careless admin script) rewrites them. */
const OBJECT_MODE = 0o444;

export class LocalDiskStorage implements Storage {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Maps a key to a path, refusing anything that would land outside the root even after resolution. */
  resolve(key: string): string {
    assertStorageKey(key);
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) {
      throw new ObjectNotFoundError('Key resolves outside the storage root');
    }
    return full;
  }

  async putStream(key: string, source: Readable): Promise<StoredObjectInfo> {
    const target = this.resolve(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.partial-${randomBytes(6).toString('hex')}`;
    try {
      await pipeline(source, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
      return await this.publish(temp, target);
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  async putLocalFile(key: string, localPath: string): Promise<StoredObjectInfo> {
    const target = this.resolve(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    try {
      // link() never replaces an existing file, which is the immutability guarantee; it also avoids copying 500 MB
      // when the upload area is on the same filesystem.
      await fs.link(localPath, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new ObjectExistsError(`Object ${key} already exists`);
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
      return this.putStream(key, createReadStream(localPath));
    }
    await fs.chmod(target, OBJECT_MODE);
    await fs.rm(localPath, { force: true });
    return this.info(target);
  }

  async createReadStream(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.resolve(key);
    try {
      await fs.access(file);
    } catch {
      throw new ObjectNotFoundError(`Object ${key} not found`);
    }
    return createReadStream(file, range ? { start: range.start, end: range.end } : undefined);
  }

  async stat(key: string): Promise<StoredObjectInfo | null> {
    try {
      return await this.info(this.resolve(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.resolve(key);
    await fs.rm(file, { force: true });
    // Keys are assets/<id>/<name>: drop the per-asset folder when it becomes empty, never the root.
    const dir = path.dirname(file);
    if (dir !== this.root) await fs.rmdir(dir).catch(() => undefined);
  }

  private async publish(temp: string, target: string): Promise<StoredObjectInfo> {
    await fs.chmod(temp, OBJECT_MODE);
    try {
      await fs.link(temp, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ObjectExistsError(`Object already exists`);
      throw error;
    }
    return this.info(target);
  }

  private async info(file: string): Promise<StoredObjectInfo> {
    const s = await fs.stat(file);
    if (!s.isFile()) throw new ObjectNotFoundError('Not a file');
    return { sizeBytes: s.size, modifiedAt: s.mtime };
  }
}
