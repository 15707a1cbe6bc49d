import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { moovFirstSegments } from '../audio/decode/mp4Boxes';
import { fixtureSnrDb, type ExpectedFixture } from '../audio/decode/testAudioFiles';
import { AudioFormatError } from '../audio/types';
import { decodeMp4WithFfmpeg, ffmpegPath } from './ffmpegDecoder';

const FIXTURES = new URL('../audio/decode/fixtures/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as Record<string, ExpectedFixture>;
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const mp4Fixtures = Object.entries(expected).filter(([, want]) => want.container === 'mp4');
const SYSTEM_FFMPEG = '/usr/bin/ffmpeg';

const rejectsFormat = async (p: Promise<unknown>, message: RegExp) =>
  assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof AudioFormatError, `${e.name}: ${e.message}`);
    assert.match(e.message, message);
    return true;
  });

describe('decodeMp4WithFfmpeg on the fixtures', () => {
  it('has AAC and ALAC fixtures to check', () => {
    assert.deepEqual(mp4Fixtures.map(([, w]) => w.codec).sort(), ['aac', 'alac']);
  });

  for (const [name, want] of mp4Fixtures) {
    it(`decodes ${name} to exactly ${want.frames} frames matching the source`, async () => {
      const out = await decodeMp4WithFfmpeg(fixture(name));
      assert.equal(out.format.container, 'mp4');
      assert.equal(out.format.codec, want.codec);
      assert.equal(out.sampleRate, want.sampleRate);
      assert.equal(out.format.frames, want.frames);
      assert.equal(out.channels.length, want.channelCount);
      for (let ch = 0; ch < want.channelCount; ch++) {
        assert.equal(out.channels[ch].length, want.frames);
        // Lossless: 16-bit quantisation noise only. AAC: codec noise, but skipping the priming off by even one
        // sample would cost the chirp 15-25 dB.
        const { snr, gain } = fixtureSnrDb(out.channels[ch], ch, want.sampleRate);
        assert.ok(snr > (want.lossless ? 85 : 30), `channel ${ch} SNR ${snr.toFixed(1)} dB`);
        assert.ok(gain > 0.9 && gain < 1.05, `channel ${ch} gain ${gain.toFixed(3)}`);
      }
    });

    it(`decodes ${name} identically when the index comes first (fast-start layout)`, async () => {
      const bytes = fixture(name);
      const fastStart = new Uint8Array(Buffer.concat(moovFirstSegments(bytes)));
      assert.notDeepEqual(fastStart, bytes, 'the fixture has its moov at the end, as ffmpeg writes by default');
      const [a, b] = await Promise.all([decodeMp4WithFfmpeg(bytes), decodeMp4WithFfmpeg(fastStart)]);
      assert.deepEqual(b.channels, a.channels);
    });

    it(`gives the same length and signal with the system ffmpeg for ${name}`, { skip: !existsSync(SYSTEM_FFMPEG) }, async () => {
      const bundled = await decodeMp4WithFfmpeg(fixture(name));
      const system = await decodeMp4WithFfmpeg(fixture(name), { ffmpegPath: SYSTEM_FFMPEG });
      assert.equal(system.format.frames, want.frames);
      for (let ch = 0; ch < want.channelCount; ch++) {
        let maxDiff = 0;
        for (let i = 0; i < want.frames; i++) maxDiff = Math.max(maxDiff, Math.abs(system.channels[ch][i] - bundled.channels[ch][i]));
        assert.ok(maxDiff < 1e-4, `channel ${ch} differs by ${maxDiff}`);
      }
    });
  }
});

describe('decodeMp4WithFfmpeg on bad input', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ffmpeg-decoder-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A stand-in for ffmpeg that records its pid and then misbehaves as told. */
  async function fakeFfmpeg(name: string, behaviour: string): Promise<{ path: string; pid: () => Promise<number> }> {
    const path = join(dir, name);
    const pidFile = join(dir, `${name}.pid`);
    await writeFile(path, `#!/bin/sh\necho $$ > '${pidFile}'\n${behaviour}\n`);
    await chmod(path, 0o755);
    return { path, pid: async () => Number(await readFile(pidFile, 'utf8')) };
  }
  const isGone = (pid: number) => {
    try {
      process.kill(pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };

  it('rejects an M4A cut in half (its index is at the end)', async () => {
    const bytes = fixture('chirp-44k-aac.m4a');
    await rejectsFormat(decodeMp4WithFfmpeg(bytes.subarray(0, bytes.length >> 1)), /truncated MP4: the index \(moov box\) is missing/);
  });

  it('rejects an M4A whose audio data is garbage', async () => {
    for (const name of ['chirp-44k-aac.m4a', 'chirp-16k-s16-alac.m4a']) {
      const bytes = fixture(name).slice();
      // The mdat payload of these fixtures starts at byte 44 (ftyp 28 + free 8 + mdat header 8) and ends at the moov.
      const moovAt = Buffer.from(bytes).indexOf('moov') - 4;
      for (let i = 44; i < moovAt; i++) bytes[i] = (i * 7919) & 0xff;
      await rejectsFormat(decodeMp4WithFfmpeg(bytes), /corrupt|truncated/);
    }
  });

  it('rejects an MP4 with no audio track and a non-audio sample description', async () => {
    const bytes = fixture('chirp-44k-aac.m4a').slice();
    const hdlr = Buffer.from(bytes).indexOf('soun');
    bytes.set([0x76, 0x69, 0x64, 0x65], hdlr); // 'vide'
    await rejectsFormat(decodeMp4WithFfmpeg(bytes), /no audio track/);
    const other = fixture('chirp-44k-aac.m4a').slice();
    other.set([0x61, 0x63, 0x2d, 0x33], Buffer.from(other).indexOf('mp4a')); // 'ac-3'
    await rejectsFormat(decodeMp4WithFfmpeg(other), /codec 'ac-3' is not supported/);
  });

  it('kills a decoder that hangs', async () => {
    const fake = await fakeFfmpeg('hang', 'exec sleep 60');
    await rejectsFormat(decodeMp4WithFfmpeg(fixture('chirp-44k-aac.m4a'), { ffmpegPath: fake.path, timeoutMs: 300 }), /did not finish within/);
    assert.ok(isGone(await fake.pid()), 'the hung process was killed');
  });

  it('kills a decoder whose output exceeds what the sample table holds', async () => {
    const fake = await fakeFfmpeg('flood', 'exec cat /dev/zero');
    await rejectsFormat(
      decodeMp4WithFfmpeg(fixture('chirp-44k-aac.m4a'), { ffmpegPath: fake.path }),
      /produced more audio than the file's index holds/,
    );
    assert.ok(isGone(await fake.pid()), 'the flooding process was killed');
  });

  it('reports a decoder that fails, and a missing binary as a setup error (not the file\'s fault)', async () => {
    const fake = await fakeFfmpeg('fail', "echo '[mov @ 0x1] moov atom not found' >&2\nexit 1");
    await rejectsFormat(decodeMp4WithFfmpeg(fixture('chirp-44k-aac.m4a'), { ffmpegPath: fake.path }), /gave up \(exit 1\): moov atom not found/);
    await assert.rejects(decodeMp4WithFfmpeg(fixture('chirp-44k-aac.m4a'), { ffmpegPath: join(dir, 'nope') }), (e: Error) => {
      assert.ok(!(e instanceof AudioFormatError));
      assert.match(e.message, /ffmpeg not found/);
      return true;
    });
  });

  it('refuses a sample table claiming more than the duration limit before running anything', async () => {
    await rejectsFormat(
      decodeMp4WithFfmpeg(fixture('chirp-44k-aac.m4a'), { maxDurationSeconds: 1, ffmpegPath: join(dir, 'never-run') }),
      /claims to last .* the limit is/,
    );
  });
});

describe('ffmpegPath', () => {
  it('prefers MASTERING_FFMPEG, else the bundled static build', () => {
    const saved = process.env.MASTERING_FFMPEG;
    try {
      process.env.MASTERING_FFMPEG = 'ffmpeg';
      assert.equal(ffmpegPath(), 'ffmpeg');
      delete process.env.MASTERING_FFMPEG;
      assert.match(ffmpegPath(), /@ffmpeg-installer\/linux-x64\/ffmpeg$/);
      assert.ok(existsSync(ffmpegPath()));
    } finally {
      if (saved === undefined) delete process.env.MASTERING_FFMPEG;
      else process.env.MASTERING_FFMPEG = saved;
    }
  });
});
