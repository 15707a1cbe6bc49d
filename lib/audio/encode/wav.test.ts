import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWav } from '../decode/wav';
import { measureLoudness } from '../loudness';
import { encodedBytes } from './encodedAudio';
import { ffmpegDecode, ffprobe, requireFfmpeg } from './ffmpegForTests';
import { musicLikeSignal } from './testSignals';
import { encodeWav } from './wav';

const metadata = {
  title: 'Ünïcode Title',
  artist: 'The Artist',
  album: 'First Album',
  trackNumber: 7,
  isrc: 'us-s1z-99-00001',
  year: 2026,
  loudness: {
    integratedLufs: -14.03,
    loudnessRangeLu: 5.5,
    maxTruePeakDbtp: -1.04,
    maxMomentaryLufs: -9.87,
    maxShortTermLufs: -11.2,
  },
};
const originationDate = new Date(Date.UTC(2026, 10, 25, 13, 4, 5));

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Returns the body of the first RIFF chunk with this id, walking the chunk list as a reader would. */
function findChunk(bytes: Uint8Array, id: string): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 12;
  while (p + 8 <= bytes.length) {
    const chunkId = String.fromCharCode(...bytes.subarray(p, p + 4));
    let size = view.getUint32(p + 4, true);
    if (chunkId === 'data' && size === 0xffffffff) size = bytes.length - p - 8;
    if (chunkId === id) return bytes.subarray(p + 8, p + 8 + size);
    p += 8 + size + (size & 1);
  }
  return undefined;
}

const ascii = (b: Uint8Array) => new TextDecoder('latin1').decode(b).replace(/\0+$/, '');

for (const bitDepth of [16, 24] as const) {
  for (const sampleRate of [44100, 48000, 88200, 96000]) {
    test(`WAV ${bitDepth}-bit ${sampleRate} Hz round-trips through ffmpeg and our decoder`, (t) => {
      const pcm = musicLikeSignal(sampleRate, 2.5);
      // An odd frame count exercises the padding of an odd-sized data chunk in mono 24-bit files.
      const encoded = encodeWav(pcm, { bitDepth, metadata, originationDate, seed: 3 });
      const bytes = encodedBytes(encoded);
      assert.equal(bytes.length, encoded.byteLength);
      const lsb = 2 ** -(bitDepth - 1);

      const ours = decodeWav(bytes);
      assert.equal(ours.format.frames, pcm.channels[0].length);
      assert.equal(ours.format.bitsPerSample, bitDepth);
      for (let ch = 0; ch < 2; ch++) assert.ok(maxAbsDiff(ours.channels[ch], pcm.channels[ch]) <= 1.5 * lsb);

      const before = measureLoudness(pcm).integratedLufs;
      const after = measureLoudness(ours).integratedLufs;
      assert.ok(Math.abs(before - after) < 0.1, `${before} vs ${after} LUFS`);

      if (!requireFfmpeg(t)) return;
      const probe = ffprobe(bytes, 'wav');
      assert.equal(probe.codecName, bitDepth === 24 ? 'pcm_s24le' : 'pcm_s16le');
      assert.equal(probe.sampleRate, sampleRate);
      assert.equal(probe.channels, 2);
      assert.equal(probe.tags.title, 'Ünïcode Title');
      assert.equal(probe.tags.artist, 'The Artist');
      assert.equal(probe.tags.album, 'First Album');
      assert.equal(probe.tags.track, '7');
      assert.equal(probe.tags.date, '2026');
      assert.equal(probe.tags.isrc, 'USS1Z9900001');
      const decoded = ffmpegDecode(bytes, 'wav', 2);
      assert.equal(decoded[0].length, pcm.channels[0].length);
      for (let ch = 0; ch < 2; ch++) assert.ok(maxAbsDiff(decoded[ch], pcm.channels[ch]) <= 1.5 * lsb);
    });
  }
}

test('bext v2 carries description, originator, date/time, time reference and loudness in 1/100 units', () => {
  const pcm = musicLikeSignal(48000, 0.5);
  const bytes = encodedBytes(
    encodeWav(pcm, { bitDepth: 24, metadata, originationDate, timeReferenceSamples: 48000 * 3600 * 10 }),
  );
  const bext = findChunk(bytes, 'bext');
  assert.ok(bext, 'bext chunk present');
  const v = new DataView(bext.buffer, bext.byteOffset, bext.byteLength);
  assert.equal(ascii(bext.subarray(0, 256)), 'The Artist - Unicode Title');
  assert.equal(ascii(bext.subarray(256, 288)), 'Mastering Room');
  assert.equal(ascii(bext.subarray(288, 320)), 'USS1Z9900001');
  assert.equal(ascii(bext.subarray(320, 330)), '2026-11-25');
  assert.equal(ascii(bext.subarray(330, 338)), '13:04:05');
  assert.equal(v.getBigUint64(338, true), BigInt(48000 * 3600 * 10));
  assert.equal(v.getUint16(346, true), 2);
  assert.deepEqual(
    [412, 414, 416, 418, 420].map((o) => v.getInt16(o, true)),
    [-1403, 550, -104, -987, -1120],
  );
  assert.match(ascii(bext.subarray(602)), /^A=PCM,F=48000,W=24,M=stereo,T=Mastering Room\r\n/);

  const ixml = new TextDecoder().decode(findChunk(bytes, 'iXML'));
  assert.match(ixml, /<BWFXML>/);
  assert.match(ixml, /ISRC=USS1Z9900001/);
  assert.match(ixml, /<NOTE>Ünïcode Title<\/NOTE>/);
  assert.match(ixml, /<PROJECT>First Album<\/PROJECT>/);
});

test('bext marks unknown loudness with 0x7FFF; mono odd-length 24-bit data is padded to an even chunk', (t) => {
  const pcm = { sampleRate: 44100, channels: [musicLikeSignal(44100, 1.1).channels[0].subarray(0, 44101)] };
  const bytes = encodedBytes(encodeWav(pcm, { bitDepth: 24, originationDate }));
  assert.equal(bytes.length % 2, 0);
  const bext = findChunk(bytes, 'bext')!;
  const v = new DataView(bext.buffer, bext.byteOffset, bext.byteLength);
  for (const o of [412, 414, 416, 418, 420]) assert.equal(v.getInt16(o, true), 0x7fff);
  assert.equal(decodeWav(bytes).format.frames, 44101);
  if (!requireFfmpeg(t)) return;
  assert.equal(ffmpegDecode(bytes, 'wav', 1)[0].length, 44101);
});

test('RF64 container (forced) decodes to the same samples', (t) => {
  const pcm = musicLikeSignal(48000, 0.5);
  const bytes = encodedBytes(encodeWav(pcm, { bitDepth: 24, container: 'rf64', metadata, seed: 1 }));
  assert.equal(ascii(bytes.subarray(0, 4)), 'RF64');
  const ours = decodeWav(bytes);
  assert.equal(ours.format.container, 'rf64');
  assert.equal(ours.format.frames, pcm.channels[0].length);
  if (!requireFfmpeg(t)) return;
  const decoded = ffmpegDecode(bytes, 'wav', 2);
  assert.equal(decoded[0].length, pcm.channels[0].length);
  assert.ok(maxAbsDiff(decoded[1], pcm.channels[1]) <= 1.5 * 2 ** -23);
});
