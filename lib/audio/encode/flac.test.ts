import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeAudio } from '../decode/decode';
import { quantize } from '../dither';
import { measureLoudness } from '../loudness';
import { encodedBytes } from './encodedAudio';
import { ffmpegDecode, ffmpegDecodeWarnings, ffprobe, requireFfmpeg } from './ffmpegForTests';
import { encodeFlac } from './flac';
import { musicLikeSignal } from './testSignals';

const metadata = {
  title: 'Ünïcode Title',
  artist: 'The Artist',
  album: 'First Album',
  trackNumber: 7,
  trackTotal: 12,
  isrc: 'US-S1Z-99-00001',
  year: 2026,
};

/** Metadata blocks as [type, last, body] in file order. */
function metadataBlocks(bytes: Uint8Array): [number, boolean, Uint8Array][] {
  assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), 'fLaC');
  const blocks: [number, boolean, Uint8Array][] = [];
  let p = 4;
  for (;;) {
    const last = (bytes[p] & 0x80) !== 0;
    const length = (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3];
    blocks.push([bytes[p] & 0x7f, last, bytes.subarray(p + 4, p + 4 + length)]);
    p += 4 + length;
    if (last) return blocks;
  }
}

for (const bitDepth of [16, 24] as const) {
  for (const sampleRate of [44100, 48000, 88200, 96000]) {
    test(`FLAC ${bitDepth}-bit ${sampleRate} Hz: lossless, exact length, tags, valid STREAMINFO`, async (t) => {
      const pcm = musicLikeSignal(sampleRate, 2.3);
      const frames = pcm.channels[0].length;
      const encoded = await encodeFlac(pcm, { bitDepth, metadata, seed: 9 });
      const bytes = encodedBytes(encoded);
      assert.equal(bytes.length, encoded.byteLength);

      const blocks = metadataBlocks(bytes);
      assert.deepEqual(
        blocks.map(([type, last]) => [type, last]),
        [
          [0, false],
          [4, false],
          [1, true],
        ],
      );
      const streamInfo = blocks[0][2];
      const totalSamples = (streamInfo[13] & 0x0f) * 2 ** 32 + new DataView(streamInfo.buffer, streamInfo.byteOffset).getUint32(14);
      assert.equal(totalSamples, frames);

      const ours = await decodeAudio(bytes);
      assert.equal(ours.format.frames, frames);
      assert.equal(ours.format.bitsPerSample, bitDepth);
      const lsb = 2 ** -(bitDepth - 1);
      // 2 LSB rather than the 1.5 of TPDF alone: our FLAC decoder (via @audio/decode-flac) scales by 1/(2^(b-1)-1),
      // a 0.0003 dB gain difference; ffmpeg's bit-exact comparison below is the lossless proof.
      for (let i = 0; i < frames; i++) {
        if (Math.abs(ours.channels[1][i] - pcm.channels[1][i]) > 2 * lsb) assert.fail(`sample ${i} off by more than dither`);
      }

      if (!requireFfmpeg(t)) return;
      const probe = ffprobe(bytes, 'flac');
      assert.equal(probe.codecName, 'flac');
      assert.equal(probe.sampleRate, sampleRate);
      assert.equal(probe.bitsPerRawSample, bitDepth);
      assert.equal(probe.tags.title, 'Ünïcode Title');
      assert.equal(probe.tags.artist, 'The Artist');
      assert.equal(probe.tags.album, 'First Album');
      assert.equal(probe.tags.track, '7');
      assert.equal(probe.tags.date, '2026');
      assert.equal(probe.tags.isrc, 'USS1Z9900001');
      assert.equal(ffmpegDecodeWarnings(bytes, 'flac'), '');

      const decoded = ffmpegDecode(bytes, 'flac', 2);
      assert.equal(decoded[0].length, frames);
      // Lossless: the decoded samples are exactly the dithered integer codes we fed libFLAC.
      const codes = quantize(pcm, bitDepth, { seed: 9 });
      const scale = 2 ** (bitDepth - 1);
      for (let ch = 0; ch < 2; ch++) {
        for (let i = 0; i < frames; i++) {
          if (Math.round(decoded[ch][i] * scale) !== codes[ch][i]) assert.fail(`ch${ch} sample ${i} differs`);
        }
      }
      // The MD5 we patched into STREAMINFO is the MD5 of the interleaved little-endian PCM.
      const width = bitDepth / 8;
      const raw = new Uint8Array(frames * 2 * width);
      let o = 0;
      for (let i = 0; i < frames; i++) {
        for (let ch = 0; ch < 2; ch++) {
          const v = codes[ch][i];
          for (let b = 0; b < width; b++) raw[o++] = (v >> (8 * b)) & 0xff;
        }
      }
      assert.equal(Buffer.from(streamInfo.subarray(18, 34)).toString('hex'), createHash('md5').update(raw).digest('hex'));

      const before = measureLoudness(pcm).integratedLufs;
      const after = measureLoudness({ sampleRate, channels: decoded }).integratedLufs;
      assert.ok(Math.abs(before - after) < 0.1, `${before} vs ${after} LUFS`);
    });
  }
}

test('FLAC mono with an odd length and no metadata still carries the encoder tag', async (t) => {
  const pcm = { sampleRate: 48000, channels: [musicLikeSignal(48000, 1).channels[0].subarray(0, 12345)] };
  const bytes = encodedBytes(await encodeFlac(pcm, { bitDepth: 24 }));
  if (!requireFfmpeg(t)) return;
  assert.equal(ffmpegDecode(bytes, 'flac', 1)[0].length, 12345);
  assert.equal(ffprobe(bytes, 'flac').tags.encoder, 'Mastering Room');
});
