import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAudio } from '../decode/decode';
import { measureLoudness } from '../loudness';
import { encodedBytes } from './encodedAudio';
import { ffmpegDecode, ffmpegDecodeWarnings, ffprobe, requireFfmpeg } from './ffmpegForTests';
import { encodeMp3, type Mp3Mode } from './mp3';
import { musicLikeSignal } from './testSignals';
import { crc16, parseMpegHeader } from './xingLame';

const metadata = {
  title: 'Ünïcode Title',
  artist: 'The Artist',
  album: 'First Album',
  trackNumber: 7,
  trackTotal: 12,
  isrc: 'us-s1z-99-00001',
  year: 2026,
};

const MODES: Mp3Mode[] = [
  { kind: 'cbr', bitrateKbps: 320 },
  { kind: 'vbr', quality: 0 },
];

/** Locates the info frame after the ID3v2 tag and returns its fields as a decoder reads them. */
function readInfoFrame(bytes: Uint8Array) {
  assert.equal(String.fromCharCode(...bytes.subarray(0, 3)), 'ID3');
  const start = 10 + ((bytes[6] << 21) | (bytes[7] << 14) | (bytes[8] << 7) | bytes[9]);
  const header = parseMpegHeader(bytes, start);
  assert.ok(header, 'an MPEG frame follows the ID3 tag');
  const xing = start + 4 + (header.mono ? 17 : 32);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lame = xing + 120;
  const delayPadding = (bytes[lame + 21] << 16) | (bytes[lame + 22] << 8) | bytes[lame + 23];
  return {
    start,
    magic: String.fromCharCode(...bytes.subarray(xing, xing + 4)),
    frames: v.getUint32(xing + 8),
    totalBytes: v.getUint32(xing + 12),
    toc: bytes.subarray(xing + 16, xing + 116),
    encoder: String.fromCharCode(...bytes.subarray(lame, lame + 9)),
    delay: delayPadding >> 12,
    padding: delayPadding & 0xfff,
    musicLength: v.getUint32(lame + 28),
    tagCrc: v.getUint16(lame + 34),
    computedCrc: crc16(bytes.subarray(start, lame + 34)),
    samplesPerFrame: header.samplesPerFrame,
  };
}

for (const mode of MODES) {
  for (const sampleRate of [44100, 48000]) {
    test(`MP3 ${mode.kind} ${sampleRate} Hz: gapless to the exact length, no time shift, tags, loudness`, async (t) => {
      const pcm = musicLikeSignal(sampleRate, 3.1);
      const frames = pcm.channels[0].length;
      const encoded = await encodeMp3(pcm, { mode, metadata });
      const bytes = encodedBytes(encoded);
      assert.equal(bytes.length, encoded.byteLength);

      const info = readInfoFrame(bytes);
      assert.equal(info.magic, mode.kind === 'cbr' ? 'Info' : 'Xing');
      assert.equal(info.encoder, 'LAME3.100');
      assert.equal(info.tagCrc, info.computedCrc);
      assert.equal(info.totalBytes, bytes.length - info.start);
      assert.equal(info.musicLength, info.totalBytes);
      assert.equal(info.frames * info.samplesPerFrame - info.delay - info.padding, frames);
      for (let i = 1; i < 100; i++) assert.ok(info.toc[i] >= info.toc[i - 1], 'TOC is monotonic');

      const ours = await decodeAudio(bytes);
      assert.equal(ours.format.frames, frames, 'our decoder honours the LAME tag too');
      const ourLoudness = measureLoudness(ours).integratedLufs;
      assert.ok(Math.abs(measureLoudness(pcm).integratedLufs - ourLoudness) < 0.3);

      if (!requireFfmpeg(t)) return;
      const probe = ffprobe(bytes, 'mp3');
      assert.equal(probe.codecName, 'mp3');
      assert.equal(probe.sampleRate, sampleRate);
      assert.equal(probe.tags.title, 'Ünïcode Title');
      assert.equal(probe.tags.artist, 'The Artist');
      assert.equal(probe.tags.album, 'First Album');
      assert.equal(probe.tags.track, '7/12');
      assert.equal(probe.tags.date, '2026');
      assert.equal(probe.tags.tsrc, 'USS1Z9900001');
      assert.equal(ffmpegDecodeWarnings(bytes, 'mp3'), '');

      const decoded = ffmpegDecode(bytes, 'mp3', 2);
      assert.equal(decoded[0].length, frames, 'gapless: decoded length equals the source length');
      // The waveform lines up with the source: cross-correlation peaks at lag 0.
      let bestLag = NaN;
      let best = -Infinity;
      for (let lag = -1200; lag <= 1200; lag++) {
        let sum = 0;
        for (let i = 2000; i < 40000; i++) sum += pcm.channels[0][i] * decoded[0][i + lag];
        if (sum > best) {
          best = sum;
          bestLag = lag;
        }
      }
      assert.equal(bestLag, 0);
      const before = measureLoudness(pcm).integratedLufs;
      const after = measureLoudness({ sampleRate, channels: decoded }).integratedLufs;
      assert.ok(Math.abs(before - after) < 0.3, `${before} vs ${after} LUFS`);
    });
  }
}

test('MP3 refuses rates MPEG-1 cannot carry', async () => {
  await assert.rejects(
    encodeMp3(musicLikeSignal(96000, 0.1), { mode: { kind: 'cbr', bitrateKbps: 320 } }),
    /resample first/,
  );
});

test('MP3 mono gapless round trip', async (t) => {
  const pcm = { sampleRate: 44100, channels: [musicLikeSignal(44100, 1.5).channels[0].subarray(0, 54321)] };
  const bytes = encodedBytes(await encodeMp3(pcm, { mode: { kind: 'vbr', quality: 0 } }));
  const info = readInfoFrame(bytes);
  assert.equal(info.tagCrc, info.computedCrc);
  if (!requireFfmpeg(t)) return;
  assert.equal(ffmpegDecode(bytes, 'mp3', 1)[0].length, 54321);
});
