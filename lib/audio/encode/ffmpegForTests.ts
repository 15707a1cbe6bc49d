/**
 * Test-only bridge to the system ffprobe/ffmpeg, the independent reference our encoders are checked against.
 * Never imported by runtime code (lib/audio does no I/O); lives here so every encoder test shares one harness.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * Call first in every ffmpeg-backed test. A missing ffprobe fails the test with a clear message instead of
 * silently skipping, unless MASTERING_SKIP_FFMPEG=1 says the environment knowingly lacks it.
 */
export function requireFfmpeg(t: TestContext): boolean {
  if (process.env.MASTERING_SKIP_FFMPEG === '1') {
    t.skip('MASTERING_SKIP_FFMPEG=1');
    return false;
  }
  for (const tool of ['ffprobe', 'ffmpeg']) {
    const r = spawnSync(tool, ['-version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new Error(
        `${tool} is required by the encoder round-trip tests (apt-get install ffmpeg) — ` +
          'set MASTERING_SKIP_FFMPEG=1 to skip these checks knowingly',
      );
    }
  }
  return true;
}

function withTempFile<T>(bytes: Uint8Array, extension: string, run: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mastering-encode-'));
  const path = join(dir, `file.${extension}`);
  try {
    writeFileSync(path, bytes);
    return run(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ProbeResult {
  /** Format-level tags with lower-cased keys (ffprobe spells them differently per container). */
  tags: Record<string, string>;
  codecName: string;
  sampleRate: number;
  channels: number;
  bitsPerRawSample?: number;
  sampleFmt: string;
  formatName: string;
}

export function ffprobe(bytes: Uint8Array, extension: string): ProbeResult {
  const json = withTempFile(bytes, extension, (path) =>
    execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path], {
      encoding: 'utf8',
    }),
  );
  const parsed = JSON.parse(json) as {
    format: { format_name: string; tags?: Record<string, string> };
    streams: {
      codec_name: string;
      sample_rate: string;
      channels: number;
      bits_per_raw_sample?: string;
      sample_fmt: string;
      tags?: Record<string, string>;
    }[];
  };
  const tags: Record<string, string> = {};
  // FLAC/Ogg tags can sit on the stream; container tags win.
  for (const source of [parsed.streams[0]?.tags, parsed.format.tags]) {
    for (const [k, v] of Object.entries(source ?? {})) tags[k.toLowerCase()] = v;
  }
  const s = parsed.streams[0];
  return {
    tags,
    codecName: s.codec_name,
    sampleRate: Number(s.sample_rate),
    channels: s.channels,
    bitsPerRawSample: s.bits_per_raw_sample ? Number(s.bits_per_raw_sample) : undefined,
    sampleFmt: s.sample_fmt,
    formatName: parsed.format.format_name,
  };
}

/** Decodes with ffmpeg to planar float32 at the file's own rate (no resampling, gapless trimming applied). */
export function ffmpegDecode(bytes: Uint8Array, extension: string, channels: number): Float32Array[] {
  const raw = withTempFile(bytes, extension, (path) =>
    execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'f32le', '-acodec', 'pcm_f32le', '-'], {
      maxBuffer: 1 << 30,
    }),
  );
  const interleaved = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const frames = interleaved.length / channels;
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[c][i] = interleaved[i * channels + c];
  return out;
}

/** ffmpeg's stderr for a full decode, for tests that check it stayed silent about corrupt data. */
export function ffmpegDecodeWarnings(bytes: Uint8Array, extension: string): string {
  return withTempFile(bytes, extension, (path) => {
    const r = spawnSync('ffmpeg', ['-v', 'warning', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' });
    return r.stderr;
  });
}
