import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';

interface HashState {
  /** Bytes of the upload (from offset 0) that went through `hash`. */
  offset: number;
  hash: Hash;
}

export interface UploadDigest {
  sha256: string;
  /** Bytes that had to be read back from disk because they were not hashed as they arrived (0 normally). */
  rehashedBytes: number;
}

/**
 * tus' file store, plus a sha256 computed while the bytes stream in: every PATCH body passes through the upload's
 * running hash on its way to disk, so finishing a 500 MB upload does not read it all back. The running hash lives in
 * this process; when a PATCH continues at an offset the hash has not reached (the upload was resumed on another web
 * process, after a restart, or an earlier write failed half-way), the part already on disk is hashed once to catch up.
 */
export class HashingFileStore extends FileStore {
  private readonly states = new Map<string, HashState>();
  private readonly rehashed = new Map<string, number>();

  private partialPath(id: string): string {
    return path.join(this.directory, id);
  }

  /** A hash state for `id` that has consumed exactly the first `offset` bytes of the partial file. */
  private async stateAt(id: string, offset: number): Promise<HashState> {
    const current = this.states.get(id);
    if (current && current.offset === offset) return current;
    const hash = createHash('sha256');
    if (offset > 0) {
      for await (const chunk of createReadStream(this.partialPath(id), { start: 0, end: offset - 1, highWaterMark: 1024 * 1024 })) {
        hash.update(chunk as Buffer);
      }
      this.rehashed.set(id, (this.rehashed.get(id) ?? 0) + offset);
    }
    const state = { offset, hash };
    this.states.set(id, state);
    return state;
  }

  override async write(readable: http.IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const state = await this.stateAt(id, offset);
    let hashed = offset;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        state.hash.update(chunk);
        hashed += chunk.length;
        callback(null, chunk);
      },
    });
    // pipeline (not pipe) so an error of the request stream reaches the file store's own pipeline.
    const source = pipeline(readable, hashing, () => undefined);
    let newOffset: number;
    try {
      newOffset = await super.write(source, id, offset);
    } catch (error) {
      // Some hashed bytes may not have reached the disk: start again from the file next time.
      this.states.delete(id);
      throw error;
    }
    if (hashed === newOffset) state.offset = newOffset;
    else this.states.delete(id);
    return newOffset;
  }

  /**
   * sha256 of the first `size` bytes of a finished upload: from the running hash when it covers them all, else by
   * hashing what is missing from disk. Forgets the upload's state.
   */
  async digest(id: string, size: number): Promise<UploadDigest> {
    const state = await this.stateAt(id, size);
    const rehashedBytes = this.rehashed.get(id) ?? 0;
    this.forget(id);
    return { sha256: state.hash.digest('hex'), rehashedBytes };
  }

  /** Drops the running hash of an upload that is finished, rejected or removed. */
  forget(id: string): void {
    this.states.delete(id);
    this.rehashed.delete(id);
  }

  override async remove(id: string): Promise<void> {
    this.forget(id);
    await super.remove(id);
  }
}
