/**
 * Ogg Vorbis through ffmpeg: the exact length from our own reader, samples that agree with libvorbis, and null (the
 * caller falls back to libvorbis) whenever ffmpeg is missing, fails, complains, stops short or floods.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeAudio } from '../audio/decode/decode';
import type { DecodeStreamConsumer } from '../audio/decode/decodeInWorker';
import { AudioFormatError, type DecodedAudio } from '../audio/types';
import { readAudioFile } from './audioFile';
import { ffmpegPath } from './ffmpegPcm';
import { decodeVorbisWithFfmpeg, streamVorbisWithFfmpeg } from './ffmpegVorbis';
import { streamAudioFile } from './streamAudioFile';

const fixtureUrl = (name: string) => new URL(`../audio/decode/fixtures/${name}`, import.meta.url);
const fixture = async (name: string) => new Uint8Array(await readFile(fixtureUrl(name)));

/** A consumer that keeps everything, and what it was told. */
function collector() {
  const got = { starts: [] as [number, number, number][], pieces: [] as number[], channels: [] as number[][] };
  const consumer: DecodeStreamConsumer = {
    start: (sampleRate, channelCount, expectedFrames) => {
      got.starts.push([sampleRate, channelCount, expectedFrames]);
      got.channels = Array.from({ length: channelCount }, () => []);
    },
    samples: (channels, frames) => {
      got.pieces.push(frames);
      channels.forEach((c, i) => got.channels[i].push(...c.subarray(0, frames)));
    },
  };
  return { got, consumer };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('Ogg Vorbis through ffmpeg', () => {
  let dir: string;
  let libvorbis: DecodedAudio;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ffmpeg-vorbis-'));
    libvorbis = await decodeAudio(await fixture('chirp-44k.ogg'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A stand-in for ffmpeg: a shell script that does as told, with the real one at hand as $REAL. */
  async function fakeFfmpeg(name: string, body: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\nREAL='${ffmpegPath()}'\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('streams the exact length in 16384-frame pieces, agreeing with libvorbis to -100 dB', async () => {
    const { got, consumer } = collector();
    const format = await streamVorbisWithFfmpeg(await fixture('chirp-44k.ogg'), consumer);
    assert.ok(format, 'ffmpeg decoded it');
    assert.deepEqual(format, libvorbis.format);
    assert.deepEqual(got.starts, [[44100, 2, 88237]]);
    assert.deepEqual(got.pieces, [16384, 16384, 16384, 16384, 16384, 88237 - 5 * 16384]);
    for (let c = 0; c < 2; c++) {
      const diff = maxDifference(Float32Array.from(got.channels[c]), libvorbis.channels[c]);
      assert.ok(diff < 1e-5, `channel ${c} differs from libvorbis by ${diff}`);
    }
  });

  it('decodes a whole file to exactly the streamed samples', async () => {
    const bytes = await fixture('chirp-44k.ogg');
    const { got, consumer } = collector();
    await streamVorbisWithFfmpeg(bytes, consumer);
    const whole = await decodeVorbisWithFfmpeg(bytes);
    assert.ok(whole);
    assert.deepEqual(whole.channels, got.channels.map((c) => Float32Array.from(c)));
  });

  it('leaves Opus, chained streams and files whose granule the bytes cannot hold to libvorbis, before running ffmpeg', async () => {
    const never = await fakeFfmpeg('never', `touch '${join(dir, 'ran')}'; exit 1`);
    const ogg = await fixture('chirp-44k.ogg');
    const forged = ogg.slice();
    // The last page's granule (bytes 6-13 of its header), claiming hours.
    const lastPage = Buffer.from(forged).lastIndexOf('OggS');
    new DataView(forged.buffer).setUint32(lastPage + 6, 0x7fffffff, true);
    for (const bytes of [await fixture('chirp-48k.opus'), new Uint8Array(Buffer.concat([ogg, ogg])), forged]) {
      const { got, consumer } = collector();
      assert.equal(await streamVorbisWithFfmpeg(bytes, consumer, { ffmpegPath: never }), null);
      assert.equal(got.starts.length, 0);
    }
    await assert.rejects(readFile(join(dir, 'ran')), /ENOENT/);
  });

  it('returns null when ffmpeg is missing, fails, complains, stops short or floods (killed)', async () => {
    const bytes = await fixture('chirp-44k.ogg');
    const cases = {
      missing: join(dir, 'nope'),
      fails: await fakeFfmpeg('fails', "echo '[ogg @ 0x1] Page checksum mismatch' >&2; exit 1"),
      complains: await fakeFfmpeg('complains', `echo '[vorbis @ 0x1] Invalid packet' >&2; exec "$REAL" "$@"`),
      short: await fakeFfmpeg('short', 'head -c 80000 /dev/zero'),
      floods: await fakeFfmpeg('floods', `echo $$ > '${join(dir, 'flood.pid')}'; exec cat /dev/zero`),
    };
    for (const [what, path] of Object.entries(cases)) {
      const { consumer } = collector();
      assert.equal(await streamVorbisWithFfmpeg(bytes, consumer, { ffmpegPath: path }), null, what);
    }
    const pid = Number(await readFile(join(dir, 'flood.pid'), 'utf8'));
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the flooding process was killed');
  });

  it('passes on what the consumer throws, and stops ffmpeg', async () => {
    const slow = await fakeFfmpeg('pid', `echo $$ > '${join(dir, 'consumer.pid')}'; exec "$REAL" "$@"`);
    const boom = new Error('the sink is full');
    const consumer: DecodeStreamConsumer = {
      start: () => undefined,
      samples: () => {
        throw boom;
      },
    };
    await assert.rejects(streamVorbisWithFfmpeg(await fixture('chirp-44k.ogg'), consumer, { ffmpegPath: slow }), (e) => e === boom);
    const pid = Number(await readFile(join(dir, 'consumer.pid'), 'utf8'));
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    const refusing: DecodeStreamConsumer = {
      start: async () => {
        throw new AudioFormatError('no room');
      },
      samples: () => undefined,
    };
    await assert.rejects(streamVorbisWithFfmpeg(await fixture('chirp-44k.ogg'), refusing), /no room/);
  });

  it('runs ffmpeg at the lowest priority under an address-space limit', { skip: process.platform !== 'linux' }, async () => {
    const report = join(dir, 'limits.txt');
    const probe = await fakeFfmpeg('limits', `echo "$(ulimit -v) $(cut -d' ' -f19 /proc/$$/stat)" > '${report}'; exec "$REAL" "$@"`);
    const { consumer } = collector();
    assert.ok(await streamVorbisWithFfmpeg(await fixture('chirp-44k.ogg'), consumer, { ffmpegPath: probe }));
    const [limitKb, nice] = (await readFile(report, 'utf8')).trim().split(' ').map(Number);
    assert.equal(limitKb, 768 * 1024);
    // Written before setPriority may have reached it; 19 once it has.
    assert.ok(nice === getPriority(0) || nice === 19, `nice ${nice}`);
  });

  it('runs a decode its caller waits on a few nice levels below the caller instead of the lowest', { skip: process.platform !== 'linux' }, async () => {
    const report = join(dir, 'nice.txt');
    // Read once setPriority has had time to reach it.
    const probe = await fakeFfmpeg('nice', `sleep 0.3; cut -d' ' -f19 /proc/$$/stat > '${report}'; exec "$REAL" "$@"`);
    for (const [niceIncrement, expected] of [
      [5, Math.min(19, getPriority(0) + 5)],
      [undefined, 19],
    ] as const) {
      const { consumer } = collector();
      assert.ok(await streamVorbisWithFfmpeg(await fixture('chirp-44k.ogg'), consumer, { ffmpegPath: probe, niceIncrement }));
      assert.equal(Number((await readFile(report, 'utf8')).trim()), expected, `increment ${niceIncrement}`);
    }
  });

  describe('as the file readers use it', () => {
    it('falls back to libvorbis with its samples when ffmpeg fails', async () => {
      const fails = await fakeFfmpeg('fails2', 'exit 1');
      const path = join(dir, 'song.ogg');
      await writeFile(path, await fixture('chirp-44k.ogg'));
      const fallback = await readAudioFile(path, { ffmpegPath: fails });
      assert.deepEqual(fallback.channels, libvorbis.channels);
      const viaLibvorbis = await readAudioFile(path, { vorbisDecoder: 'libvorbis' });
      assert.deepEqual(viaLibvorbis.channels, libvorbis.channels);
      const viaFfmpeg = await readAudioFile(path);
      assert.equal(viaFfmpeg.format.frames, libvorbis.format.frames);
      assert.notDeepEqual(viaFfmpeg.channels, libvorbis.channels, 'ffmpeg decoded this one (its rounding differs)');
    });

    it('words a damaged file as libvorbis does (ffmpeg conceals the damage, libvorbis reports it)', async () => {
      const bytes = (await fixture('chirp-44k.ogg')).slice();
      // Garbage over the audio packets after the headers, page structure intact.
      const thirdPage = Buffer.from(bytes).indexOf('OggS', Buffer.from(bytes).indexOf('OggS', 4) + 4);
      for (let i = thirdPage + 100; i < thirdPage + 3000; i++) bytes[i] = (i * 7919) & 0xff;
      const path = join(dir, 'damaged.ogg');
      await writeFile(path, bytes);
      const messages: string[] = [];
      for (const vorbisDecoder of ['ffmpeg', 'libvorbis'] as const) {
        await assert.rejects(
          streamAudioFile(path, { open: async () => ({ push: () => undefined, finish: async () => undefined }), whole: async () => undefined }, { vorbisDecoder }),
          (e: Error) => {
            assert.ok(e instanceof AudioFormatError, e.message);
            messages.push(e.message);
            return true;
          },
        );
      }
      assert.equal(messages[0], messages[1]);
      assert.match(messages[0], /^damaged\.ogg: /);
    });
  });
});
