/**
 * Decodes MP4 audio (AAC, ALAC) with an ffmpeg subprocess. The only FAAD2-free AAC decoder within reach is
 * ffmpeg's own, and the WASM route (@audio/decode-aac) is GPL-2.0-only, which AGPL-3.0-or-later cannot ship.
 *
 * ffmpeg is old native code parsing untrusted uploads, so it is fenced in:
 * - the bytes arrive on stdin and only the pipe protocol is allowed: it cannot open files, URLs or MP4 data
 *   references; the demuxer (mov) and decoder are forced, so no other parser ever sees the bytes;
 * - what it prints is not trusted: rate, channels and the exact gapless length come from our own box parser
 *   (lib/audio/decode/mp4Boxes.ts); ffmpeg is told to output exactly that layout and to ignore the edit list,
 *   and we trim ourselves, identically for every ffmpeg version;
 * - it runs at the lowest CPU priority, is killed after a time limit and as soon as its output exceeds what the
 *   sample table can produce.
 *
 * Binary: env MASTERING_FFMPEG (a path, or a command name looked up on PATH), else the static build shipped in
 * @ffmpeg-installer/linux-x64 (GPLv3, ffmpeg 4.1 from 2018; a newer system ffmpeg is the better choice where
 * there is one).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { findMoov, moovFirstSegments, readAudioTrack } from '../audio/decode/mp4Boxes';
import { assertMasterable } from '../audio/decode/limits';
import { AudioFormatError, type DecodedAudio } from '../audio/types';

export interface FfmpegDecodeOptions {
  /** ffmpeg executable; default env MASTERING_FFMPEG, else the npm-shipped static build. */
  ffmpegPath?: string;
  /** Kill ffmpeg after this long. Default 5 minutes (a 4-minute AAC track takes about a second). */
  timeoutMs?: number;
  /** Files whose sample table claims more than this are refused before decoding. Default 3 hours. */
  maxDurationSeconds?: number;
}

/** Output beyond the sample table's length: one codec frame of padding at the end (AAC decodes its last frame
 * whole) plus slack for decoders that emit an extra frame. More than this means the table lies. */
const OUTPUT_MARGIN_FRAMES = 16384;

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

/** The injectable form decodeAudio expects: `decodeAudio(bytes, { externalDecoders: ffmpegExternalDecoders() })`. */
export function ffmpegExternalDecoders(opts: FfmpegDecodeOptions = {}) {
  return { mp4: (bytes: Uint8Array) => decodeMp4WithFfmpeg(bytes, opts) };
}

export async function decodeMp4WithFfmpeg(bytes: Uint8Array, opts: FfmpegDecodeOptions = {}): Promise<DecodedAudio> {
  const segments = moovFirstSegments(bytes);
  const moovBytes = segments.length === 1 ? bytes : segments[1];
  const moov = findMoov(segments.length === 1 ? bytes : moovBytes);
  if (!moov) throw new AudioFormatError('truncated MP4: the index (moov box) is missing or cut off');
  const track = readAudioTrack(moovBytes, moov);
  const what = `${track.codec.toUpperCase()} file`;
  const { sampleRate, channelCount } = track;
  assertMasterable(channelCount, sampleRate, what);
  if (!Number.isInteger(sampleRate)) throw new AudioFormatError(`${what} declares a fractional sample rate (${sampleRate} Hz)`);
  const { skipFrames, keepFrames } = track.gapless;
  if (!Number.isFinite(keepFrames) || keepFrames <= 0) throw new AudioFormatError(`corrupt ${what}: the sample table is empty`);
  const maxSeconds = opts.maxDurationSeconds ?? 3 * 3600;
  if (track.sampleTableFrames / sampleRate > maxSeconds) {
    throw new AudioFormatError(`${what} claims to last ${formatDuration(track.sampleTableFrames / sampleRate)}; the limit is ${formatDuration(maxSeconds)}`);
  }

  const maxFrames = track.sampleTableFrames + OUTPUT_MARGIN_FRAMES;
  const out = await runFfmpeg(segments, {
    binary: opts.ffmpegPath ?? ffmpegPath(),
    decoder: track.codec === 'alac' ? 'alac' : 'aac',
    sampleRate,
    channelCount,
    maxFrames,
    // Room for the table plus the last frame's padding, so the trimmed result can stay a view (no final copy). A
    // forged table must not make us allocate its claim up front though: cap by what the bytes could plausibly hold
    // (lossy codecs rarely exceed ~24 frames per byte; silence does, and then the planes grow).
    initialFrames: Math.min(track.sampleTableFrames + 4096, bytes.length * 24 + 65536),
    timeoutMs: opts.timeoutMs ?? 5 * 60_000,
    what,
  });

  const decodedFrames = out.frames;
  // Same rule as the WASM decoders: a small shortfall is a decoder's edge, a large one a broken upload.
  if (decodedFrames < (skipFrames + keepFrames) * 0.98 - 4096) {
    throw new AudioFormatError(
      decodedFrames === 0
        ? `corrupt ${what}: no audio could be decoded${out.firstError ? ` (${out.firstError})` : ''}`
        : `truncated ${what}: the index says ${keepFrames} samples per channel, only ${Math.max(0, decodedFrames - skipFrames)} could be decoded`,
    );
  }
  const frames = Math.min(keepFrames, decodedFrames - skipFrames);
  const channels = out.channels.map((c) => {
    const view = c.subarray(skipFrames, skipFrames + frames);
    // Keep the trimmed view unless the buffer around it is mostly dead weight (it grew past the real length).
    return c.length - frames > frames >> 5 ? view.slice() : view;
  });
  return {
    sampleRate,
    channels,
    format: {
      container: 'mp4',
      codec: track.codec,
      sampleRate,
      channelCount,
      ...(track.bitsPerSample ? { bitsPerSample: track.bitsPerSample } : {}),
      frames,
      durationSeconds: frames / sampleRate,
    },
  };
}

interface RunSpec {
  binary: string;
  decoder: 'aac' | 'alac';
  sampleRate: number;
  channelCount: number;
  maxFrames: number;
  initialFrames: number;
  timeoutMs: number;
  what: string;
}

interface RunResult {
  channels: Float32Array[];
  frames: number;
  firstError: string | null;
}

function runFfmpeg(input: Uint8Array[], spec: RunSpec): Promise<RunResult> {
  const { channelCount } = spec;
  const args = [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    // Input side. Reading the input from pipe:0 already switches off ffmpeg's interactive keys on stdin
    // (-nostdin would be redundant); the whitelist stops every other protocol, nested ones included.
    '-protocol_whitelist', 'pipe',
    '-f', 'mov', '-ignore_editlist', '1',
    '-c:a', spec.decoder,
    '-threads', '1',
    '-i', 'pipe:0',
    // Output: the first audio track as little-endian float in the layout our parser found (no resampling or
    // remixing happens when the file agrees with it).
    '-map', '0:a:0', '-vn', '-sn', '-dn',
    '-f', 'f32le', '-ac', String(channelCount), '-ar', String(spec.sampleRate),
    'pipe:1',
  ];
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(spec.binary, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, 19);
      } catch {
        // Not permitted in some sandboxes; the time and size limits still hold.
      }
    }
    let channels = Array.from({ length: channelCount }, () => new Float32Array(Math.max(1, spec.initialFrames)));
    let frames = 0;
    const frameBytes = 4 * channelCount;
    // stdout chunks split frames anywhere and need not be 4-byte aligned: gather each chunk behind the leftover
    // bytes of the previous one in a small aligned scratch buffer, then de-interleave straight into the planes.
    let scratch = new Uint8Array(1 << 16);
    let pending = 0;
    let stderr = '';
    let failure: Error | null = null;
    let settled = false;

    const kill = (err: Error) => {
      if (failure) return;
      failure = err;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => kill(new AudioFormatError(`decoding the ${spec.what} did not finish within ${Math.round(spec.timeoutMs / 1000)} s`)),
      spec.timeoutMs,
    );

    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      if (pending + chunk.length > scratch.length) {
        const grown = new Uint8Array(pending + chunk.length);
        grown.set(scratch.subarray(0, pending));
        scratch = grown;
      }
      scratch.set(chunk, pending);
      const available = pending + chunk.length;
      const n = Math.floor(available / frameBytes);
      if (frames + n > spec.maxFrames) {
        kill(new AudioFormatError(`corrupt ${spec.what}: the decoder produced more audio than the file's index holds`));
        return;
      }
      if (frames + n > channels[0].length) {
        const capacity = Math.min(spec.maxFrames, Math.max(frames + n, Math.ceil(channels[0].length * 1.5)));
        channels = channels.map((c) => {
          const grown = new Float32Array(capacity);
          grown.set(c.subarray(0, frames));
          return grown;
        });
      }
      const samples = new Float32Array(scratch.buffer, 0, n * channelCount);
      if (channelCount === 2) {
        const [l, r] = channels;
        for (let i = 0, j = 0; i < n; i++, j += 2) {
          l[frames + i] = samples[j];
          r[frames + i] = samples[j + 1];
        }
      } else {
        channels[0].set(samples, frames);
      }
      frames += n;
      pending = available - n * frameBytes;
      scratch.copyWithin(0, n * frameBytes, available);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 4096) stderr += text;
    });
    // ffmpeg stops reading when it gives up on the input; the resulting EPIPE is expected, its exit status tells.
    child.stdin.on('error', () => {});

    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    child.once('error', (err: NodeJS.ErrnoException) =>
      finish(() =>
        reject(
          err.code === 'ENOENT'
            ? new Error(`ffmpeg not found at '${spec.binary}' (set MASTERING_FFMPEG or install @ffmpeg-installer/ffmpeg)`)
            : new Error(`could not start ffmpeg: ${err.message}`),
        ),
      ),
    );
    child.once('close', (code, signal) =>
      finish(() => {
        if (failure) return reject(failure);
        const firstError = firstLine(stderr);
        if (code !== 0) {
          return reject(
            new AudioFormatError(
              `corrupt ${spec.what}: the decoder gave up (${signal ?? `exit ${code}`})${firstError ? `: ${firstError}` : ''}`,
            ),
          );
        }
        resolve({ channels, frames, firstError });
      }),
    );

    void writeAll(child.stdin, input);
  });
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
function firstLine(stderr: string): string | null {
  const line = stderr.split('\n').find((l) => l.trim().length > 0);
  if (!line) return null;
  const clean = line.replace(/^\[[^\]]*\]\s*/, '').replace(/[^\x20-\x7e]/g, '?').trim();
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}
