/**
 * ffmpeg as a fenced decoder process: compressed bytes in on stdin, float PCM out on stdout, handed on in planar
 * blocks as it arrives. What the MP4 decoder (ffmpegDecoder.ts) and the streamed Ogg Vorbis decoder (ffmpegVorbis.ts)
 * run.
 *
 * ffmpeg is old native code parsing untrusted uploads, so it is fenced in:
 * - the bytes arrive on stdin and only the pipe protocol is allowed: it cannot open files, URLs or data references;
 *   the caller forces the demuxer and the decoder, so no other parser ever sees the bytes;
 * - it runs at a lower CPU priority than this process (the lowest unless the caller waits on it), under an
 *   address-space limit (on Linux, through the shell's ulimit), is killed after a time limit and as soon as its output
 *   exceeds what the caller's own parser says the file can hold;
 * - what it prints is not trusted: the caller tells it the output layout, from its own parse of the headers.
 *
 * Binary: env MASTERING_FFMPEG (a path, or a command name looked up on PATH), else the static build shipped in
 * @ffmpeg-installer/linux-x64 (GPLv3, ffmpeg 4.1 from 2018; a newer system ffmpeg is the better choice where there is
 * one). It runs as a separate program, so its licence does not extend to ours.
 */
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { getPriority, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AudioFormatError } from '../audio/types';

export function ffmpegPath(): string {
  const fromEnv = process.env.MASTERING_FFMPEG;
  if (fromEnv) return fromEnv;
  try {
    return (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch (e) {
    // The package throws a bare string on platforms it has no binary for.
    throw new Error(`no bundled ffmpeg for this platform (${String(e)}); set MASTERING_FFMPEG to an ffmpeg binary`);
  }
}

/**
 * Frames per block handed to the caller: the decoder ring's slot size, so a stream reaches its consumer in the same
 * pieces whichever decoder ran (the meters' sums then add up in the same order). The output socket buffers more than
 * a block, so ffmpeg decodes the next block while the consumer works on this one.
 */
export const FFMPEG_BLOCK_FRAMES = 16384;
/**
 * Address space allowed to ffmpeg. Decoding a four-minute Vorbis or AAC track needs under 128 MB of it (the static
 * build reserves little); a hostile file that makes a decoder allocate without bound fails instead of swapping.
 */
const ADDRESS_SPACE_KB = 768 * 1024;
const SHELL = '/bin/sh';
/** The lowest CPU priority (highest nice level) there is. */
const LOWEST_PRIORITY = 19;
/** How much of ffmpeg's complaints is kept. */
export const STDERR_KEEP_CHARS = 4096;

export interface FfmpegPcmSpec {
  binary: string;
  /** Forced demuxer, its options and the decoder, e.g. ['-f', 'ogg', '-c:a', 'vorbis']. */
  inputArgs: string[];
  sampleRate: number;
  channelCount: number;
  /** More output than this kills ffmpeg, and the run rejects with `tooMuch()`. */
  maxFrames: number;
  tooMuch: () => Error;
  timeoutMs: number;
  /** Names the file in errors, e.g. "AAC file". */
  what: string;
  /**
   * How much lower ffmpeg's CPU priority is than this thread's (nice levels; default: the lowest there is, 19). A
   * decode the caller waits on with nothing else to do (a master's mix) takes fewer, so that another decode running
   * meanwhile (its references) does not hold it back.
   */
  niceIncrement?: number;
}

export interface FfmpegPcmResult {
  /** What ffmpeg printed at log level "error" (the first STDERR_KEEP_CHARS or a little more). */
  stderr: string;
}

/**
 * Runs ffmpeg over `input` and calls `onBlock` with its output in order, in blocks of FFMPEG_BLOCK_FRAMES frames (the
 * last one shorter; planar views, valid during the call). Output is read only once `ready` resolves (ffmpeg starts
 * meanwhile, and waits when its output buffer is full); `onSpawned` runs as soon as ffmpeg is running, while it starts
 * up.
 * Rejects with an AudioFormatError when ffmpeg gives up on the file, hangs or floods, with a plain Error when it cannot
 * be started, and with whatever `onBlock` throws or `ready` rejects with; ffmpeg is killed in every one of those cases.
 */
export async function runFfmpegPcm(
  input: Uint8Array[],
  spec: FfmpegPcmSpec,
  onBlock: (channels: Float32Array[], frames: number) => void,
  ready?: Promise<unknown>,
  onSpawned?: () => void,
): Promise<FfmpegPcmResult> {
  const { channelCount } = spec;
  if (channelCount !== 1 && channelCount !== 2) throw new Error(`ffmpeg PCM: ${channelCount} channels (mono and stereo only)`);
  const args = [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    // Reading the input from pipe:0 already switches off ffmpeg's interactive keys on stdin (-nostdin would be
    // redundant); the whitelist stops every other protocol, nested ones included.
    '-protocol_whitelist', 'pipe',
    ...spec.inputArgs,
    '-threads', '1',
    '-i', 'pipe:0',
    // The first audio track as little-endian float in the layout the caller's parser found (no resampling or
    // remixing happens when the file agrees with it). Written in whole buffers, not packet by packet.
    '-map', '0:a:0', '-vn', '-sn', '-dn',
    '-f', 'f32le', '-ac', String(channelCount), '-ar', String(spec.sampleRate), '-flush_packets', '0',
    'pipe:1',
  ];

  const block = Array.from({ length: channelCount }, () => new Float32Array(FFMPEG_BLOCK_FRAMES));
  let filled = 0;
  let frames = 0;
  const frameBytes = 4 * channelCount;
  let failure: unknown = null;
  let child: ChildProcess | undefined;
  let output: Readable | undefined;
  /** Records the first failure and stops ffmpeg and the reading (once they exist). */
  const kill = (err: unknown) => {
    failure ??= err;
    child?.kill('SIGKILL');
    output?.destroy();
  };
  // Reads split frames anywhere and need not be 4-byte aligned: each is gathered behind the previous one's leftover
  // bytes in an aligned scratch buffer, then de-interleaved straight into the block.
  let scratch = new Uint8Array(1 << 16);
  let pending = 0;
  const take = (chunk: Uint8Array) => {
    if (failure) return;
    try {
      if (pending + chunk.length > scratch.length) {
        const grown = new Uint8Array(pending + chunk.length);
        grown.set(scratch.subarray(0, pending));
        scratch = grown;
      }
      scratch.set(chunk, pending);
      const available = pending + chunk.length;
      const n = Math.floor(available / frameBytes);
      if (frames + n > spec.maxFrames) return kill(spec.tooMuch());
      const samples = new Float32Array(scratch.buffer, 0, n * channelCount);
      for (let done = 0; done < n; ) {
        const count = Math.min(n - done, FFMPEG_BLOCK_FRAMES - filled);
        deinterleave(samples, done, count, block, filled);
        filled += count;
        done += count;
        if (filled === FFMPEG_BLOCK_FRAMES) {
          onBlock(block, filled);
          filled = 0;
        }
      }
      frames += n;
      pending = available - n * frameBytes;
      scratch.copyWithin(0, n * frameBytes, available);
    } catch (e) {
      kill(e);
    }
  };

  // Loaded here, not with the module: reading a WAV never starts ffmpeg, and child_process (with the net and dgram
  // modules it loads) cost every thread 10-17 ms of start-up.
  const { spawn } = await import('node:child_process');
  const socket = await connectOutputSocket(take);
  // `exec` keeps the process id, so killing the child kills ffmpeg itself.
  const limited = shellCanLimit();
  const stdio: StdioOptions = ['pipe', socket ? socket.childEnd : 'pipe', 'pipe'];
  try {
    child = limited
      ? spawn(SHELL, ['-c', `ulimit -v ${ADDRESS_SPACE_KB} && exec "$0" "$@"`, spec.binary, ...args], { stdio })
      : spawn(spec.binary, args, { stdio, windowsHide: true });
  } catch (e) {
    socket?.reader.destroy();
    throw e;
  } finally {
    // The child holds its own copy: the reader sees the end of the output when ffmpeg exits.
    socket?.childEnd.destroy();
  }
  const reading: Readable = socket ? socket.reader : child.stdout!;
  output = reading;
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, spec.niceIncrement === undefined ? LOWEST_PRIORITY : Math.min(LOWEST_PRIORITY, getPriority(0) + spec.niceIncrement));
    } catch {
      // Not permitted in some sandboxes; the time and size limits still hold.
    }
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < STDERR_KEEP_CHARS) stderr += text;
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (err: NodeJS.ErrnoException) => {
      failure ??= err.code === 'ENOENT' ? notFound(spec.binary) : new Error(`could not start ffmpeg: ${err.message}`);
      reading.destroy();
      resolve({ code: null, signal: null });
    });
  });
  const ended = new Promise<void>((resolve) => {
    reading.once('end', resolve);
    reading.once('close', resolve);
    reading.once('error', (e) => {
      kill(e);
      resolve();
    });
  });
  const timer = setTimeout(() => kill(new AudioFormatError(`decoding the ${spec.what} did not finish within ${Math.round(spec.timeoutMs / 1000)} s`)), spec.timeoutMs);
  // ffmpeg stops reading when it gives up on the input; the resulting EPIPE is expected, its exit status tells.
  child.stdin!.on('error', () => {});
  void writeAll(child.stdin!, input);

  if (!failure) onSpawned?.();
  try {
    await ready;
  } catch (e) {
    kill(e);
  }
  if (socket) socket.reader.resume();
  else reading.on('data', (chunk: Buffer) => take(chunk));
  await ended;
  if (!failure && filled > 0) {
    try {
      onBlock(block.map((c) => c.subarray(0, filled)), filled);
    } catch (e) {
      kill(e);
    }
  }
  const { code, signal } = await closed;
  clearTimeout(timer);
  if (failure) throw failure;
  // The shell's words for a binary it could not run.
  if (limited && code === 127) throw notFound(spec.binary);
  if (limited && code === 126) throw new Error(`could not start ffmpeg at '${spec.binary}': not executable`);
  if (code !== 0) {
    const reason = firstLine(stderr);
    throw new AudioFormatError(`corrupt ${spec.what}: the decoder gave up (${signal ?? `exit ${code}`})${reason ? `: ${reason}` : ''}`);
  }
  return { stderr };
}

const notFound = (binary: string) => new Error(`ffmpeg not found at '${binary}' (set MASTERING_FFMPEG or install @ffmpeg-installer/ffmpeg)`);

let canLimit: boolean | undefined;
/** Whether ffmpeg can be started under the shell's ulimit (Linux with /bin/sh); checked once. */
function shellCanLimit(): boolean {
  canLimit ??= process.platform === 'linux' && existsSync(SHELL);
  return canLimit;
}

const OUTPUT_READ_BYTES = 1 << 16;

/**
 * A connected pair of local sockets for ffmpeg's output: `childEnd` becomes its stdout, `reader` (paused until
 * resumed) reads what it writes into one reused buffer (net.Socket's `onread`). Node's own stdout pipe allocates a new
 * buffer for every read instead, which cost ~0.13 s of CPU for the 78 MB of a four-minute stereo track, and a pipe
 * holds only 64 KB (half a stereo block) where a socket buffers ~200 KB, so ffmpeg runs a block ahead of the consumer.
 * The socket lives in a fresh private folder (no one else can connect first), removed in the background once
 * connected. Null where that fails: the child's ordinary stdout pipe serves instead.
 */
async function connectOutputSocket(onBytes: (bytes: Uint8Array) => void): Promise<{ reader: Socket; childEnd: Socket } | null> {
  if (process.platform === 'win32') return null;
  const { connect, createServer } = await import('node:net');
  let dir: string | undefined;
  const server = createServer();
  try {
    dir = await mkdtemp(join(tmpdir(), 'mastering-ffmpeg-'));
    const path = join(dir, 'pcm.sock');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const reader = connect({
      path,
      onread: {
        buffer: Buffer.allocUnsafe(OUTPUT_READ_BYTES),
        // Returning false would pause the socket.
        callback: (n, buffer) => {
          onBytes(buffer.subarray(0, n));
          return true;
        },
      },
    });
    await new Promise<void>((resolve, reject) => {
      reader.once('connect', resolve);
      reader.once('error', reject);
    });
    reader.pause();
    return { reader, childEnd: await accepted };
  } catch {
    return null;
  } finally {
    server.close();
    // Not awaited: removing the folder took ~35 ms on each thread's way to starting ffmpeg, and nothing needs it gone
    // before then (the connection is made).
    if (dir) rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Interleaved frames [from, from + count) into the planar block at `at`. */
function deinterleave(samples: Float32Array, from: number, count: number, block: Float32Array[], at: number): void {
  if (block.length === 2) {
    const l = block[0];
    const r = block[1];
    for (let i = 0, j = 2 * from; i < count; i++, j += 2) {
      l[at + i] = samples[j];
      r[at + i] = samples[j + 1];
    }
  } else {
    block[0].set(samples.subarray(from, from + count), at);
  }
}

async function writeAll(stream: NodeJS.WritableStream, parts: Uint8Array[]): Promise<void> {
  for (const part of parts) {
    if (part.length === 0) continue;
    if (!stream.write(part)) {
      const closed = await new Promise<boolean>((resolve) => {
        const onDrain = () => done(false);
        const onClose = () => done(true);
        const done = (v: boolean) => {
          stream.removeListener('drain', onDrain);
          stream.removeListener('close', onClose);
          resolve(v);
        };
        stream.once('drain', onDrain);
        stream.once('close', onClose);
      });
      if (closed) return;
    }
  }
  stream.end();
}

/** ffmpeg's first complaint, reduced to something safe to show a user. */
export function firstLine(stderr: string): string | null {
  const line = stderr.split('\n').find((l) => l.trim().length > 0);
  if (!line) return null;
  const clean = line.replace(/^\[[^\]]*\]\s*/, '').replace(/[^\x20-\x7e]/g, '?').trim();
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
}
