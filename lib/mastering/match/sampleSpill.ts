/**
 * A decoded mix kept on disk for the render's later full passes. A master renders the whole track twice when the first
 * render misses the reference's tonal balance, and each render starts from the mix: keeping its float32 copy in memory
 * beside the float64 working buffer would cost ~90 MB for four minutes of stereo, and decoding a compressed mix again
 * cost ~0.6 s of CPU and ~0.9 s of the master's wall time. Written once as it is first decoded and read back in one
 * pass, the file costs a sequential write and read of the same bytes, mostly in the page cache.
 *
 * Layout: blocks of BLOCK_FRAMES frames (the last one shorter), each block channel after channel, float32 in the
 * machine's byte order (the file never leaves this process).
 *
 * Nothing here may fail a master: a spill that cannot be written (no space, no temporary folder) is dropped and the
 * caller decodes the file again, as it would without one.
 */
import { closeSync, openSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const BLOCK_FRAMES = 1 << 16;
const PREFIX = 'mastering-mix-';
/** Copies this old are left from processes that died before removing them (a master takes seconds, not hours). */
const STALE_MS = 6 * 60 * 60 * 1000;

export class SampleSpill {
  private fd: number | null;
  private readonly block: Float32Array[];
  private fill = 0;
  private written = 0;
  private failed = false;

  private constructor(
    private readonly path: string,
    fd: number,
    readonly channelCount: number,
  ) {
    this.fd = fd;
    this.block = Array.from({ length: channelCount }, () => new Float32Array(BLOCK_FRAMES));
  }

  /** A spill in `dir` (the system's temporary folder by default), or null when none can be created there. */
  static create(channelCount: number, dir = tmpdir()): SampleSpill | null {
    removeStale(dir);
    const path = join(dir, `${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}.f32`);
    try {
      return new SampleSpill(path, openSync(path, 'wx'), channelCount);
    } catch {
      return null;
    }
  }

  /** Frames written so far (all of them once `finish` has run). */
  get frames(): number {
    return this.written + this.fill;
  }

  append(channels: readonly Float32Array[], count: number): void {
    for (let done = 0; done < count && !this.failed; ) {
      const take = Math.min(count - done, BLOCK_FRAMES - this.fill);
      for (let ch = 0; ch < this.channelCount; ch++) this.block[ch].set(channels[ch].subarray(done, done + take), this.fill);
      this.fill += take;
      done += take;
      if (this.fill === BLOCK_FRAMES) this.flush();
    }
  }

  /** Writes the last, partial block and closes the file for writing. */
  finish(): void {
    if (this.fill > 0) this.flush();
    this.closeWriter();
  }

  /** Reads the spill into `into` (float64 channels of exactly `frames` frames). False when it cannot (the caller decodes again). */
  async readInto(into: readonly Float64Array[], frames: number): Promise<boolean> {
    if (this.failed || this.fd !== null || this.written !== frames || into.length !== this.channelCount) return false;
    let handle;
    try {
      handle = await open(this.path, 'r');
      const bytes = new Uint8Array(BLOCK_FRAMES * 4 * this.channelCount);
      const samples = new Float32Array(bytes.buffer);
      for (let at = 0, offset = 0; at < frames; at += BLOCK_FRAMES) {
        const n = Math.min(BLOCK_FRAMES, frames - at);
        const want = n * 4 * this.channelCount;
        for (let got = 0; got < want; ) {
          const { bytesRead } = await handle.read(bytes, got, want - got, offset + got);
          if (bytesRead === 0) return false;
          got += bytesRead;
        }
        offset += want;
        for (let ch = 0; ch < this.channelCount; ch++) into[ch].set(samples.subarray(ch * n, (ch + 1) * n), at);
      }
      return true;
    } catch {
      return false;
    } finally {
      await handle?.close();
    }
  }

  /** Removes the file. */
  async dispose(): Promise<void> {
    this.closeWriter();
    this.failed = true;
    await unlink(this.path).catch(() => undefined);
  }

  private flush(): void {
    if (this.fd === null) return;
    try {
      for (let ch = 0; ch < this.channelCount; ch++) {
        const view = new Uint8Array(this.block[ch].buffer, 0, this.fill * 4);
        for (let off = 0; off < view.length; ) off += writeSync(this.fd, view, off);
      }
      this.written += this.fill;
      this.fill = 0;
    } catch {
      this.failed = true;
      this.closeWriter();
      try {
        unlinkSync(this.path);
      } catch {
        // Already gone.
      }
    }
  }

  private closeWriter(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Closing a file we wrote cannot lose anything we rely on: readInto checks what it reads.
    }
    this.fd = null;
  }
}

/** Removes copies a killed process left behind (best effort: another process may be removing them too). */
function removeStale(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.startsWith(PREFIX) && name.endsWith('.f32'));
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    try {
      const path = join(dir, name);
      if (now - statSync(path).mtimeMs > STALE_MS) unlinkSync(path);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}
