/**
 * The streamed analysis must be the whole-track analysis: a signal pushed in irregular pieces (window slides, pieces
 * that end inside blocks and segments) gives exactly the result of analysing it in one go.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodedAudio } from '@/lib/audio/types';
import { pinkNoise, sine } from './testSignals';
import { TrackAnalyzer } from './trackAnalyzer';

function program(sampleRate: number, seconds: number, channelCount: 1 | 2, endsLoud = false): DecodedAudio {
  const n = Math.round(sampleRate * seconds) + 777;
  const left = pinkNoise(n, 0.5, 3);
  const right = channelCount === 2 ? pinkNoise(n, 0.4, 9) : left;
  const tone = sine(n, sampleRate, 220, 0.3);
  for (let i = 0; i < n; i++) {
    left[i] += tone[i];
    if (channelCount === 2) right[i] += 0.8 * tone[i];
  }
  // Half a second of silence at the head and (unless it ends loud) a fade to silence at the tail, a click, a clipped
  // run, an over.
  for (const x of channelCount === 2 ? [left, right] : [left]) {
    x.fill(0, 0, sampleRate / 2);
    if (!endsLoud) {
      x.fill(0, n - sampleRate);
      for (let i = n - 2 * sampleRate; i < n - sampleRate; i++) x[i] *= (n - sampleRate - i) / sampleRate;
    }
    for (let i = 3 * sampleRate; i < 3 * sampleRate + 40; i++) x[i] = i % 2 ? 1 : 0.999;
  }
  // Ending loud: the highest inter-sample peak is in the last interval, whose interpolation reads past the end (zeros).
  if (endsLoud) for (const [i, v] of [[n - 3, 0.999], [n - 2, -0.999], [n - 1, 0.999]]) left[i] = v;
  left[Math.round(5.2 * sampleRate)] += 0.6;
  left[Math.round(6 * sampleRate)] = 0.99;
  left[Math.round(6 * sampleRate) + 1] = -0.99;
  const channels = channelCount === 2 ? [left, right] : [left];
  return { sampleRate, channels, format: { container: 'wav', codec: 'pcm_f32le', sampleRate, channelCount, frames: n, durationSeconds: n / sampleRate } };
}

describe('TrackAnalyzer', () => {
  for (const [sampleRate, channelCount, endsLoud] of [[44100, 2, false], [48000, 1, false], [96000, 2, false], [8000, 2, true], [44100, 1, true]] as const) {
    it(`pieces give exactly the whole-track analysis (${sampleRate} Hz, ${channelCount} channel${channelCount === 2 ? 's' : ''}${endsLoud ? ', ending loud' : ''})`, async () => {
      const decoded = program(sampleRate, 9, channelCount, endsLoud);
      const whole = await TrackAnalyzer.analyzeWhole(decoded);
      // A too-small length guess makes the per-block outputs grow as they go.
      const streamed = await TrackAnalyzer.create(sampleRate, channelCount, { expectedFrames: sampleRate });
      const n = decoded.channels[0].length;
      let k = 0;
      for (let from = 0; from < n; ) {
        const size = [1, 16, 4095, 16384, 70001, 333][k++ % 6];
        const to = Math.min(n, from + size);
        // Pieces in buffers the caller reuses: the analyzer must copy what it keeps.
        const piece = decoded.channels.map((c) => c.slice(from, to));
        streamed.push(piece, to - from);
        piece.forEach((p) => p.fill(NaN));
        from = to;
      }
      const result = await streamed.finish(decoded.format);
      assert.deepEqual(result, whole);
      assert.ok(whole.analysis.problems.some((p) => p.kind === 'clipping'), 'the program has the problems it is meant to have');
      assert.ok(whole.analysis.dynamics.headSilenceSeconds >= 0.49);
      // The window's buffer holds stale frames past the end after it slid: the meters must never read them.
    });
  }

  it('refuses more than two channels, and pushes after finish', async () => {
    await assert.rejects(TrackAnalyzer.create(44100, 6), /6 channels; mastering supports mono and stereo only/);
    const analyzer = await TrackAnalyzer.create(8000, 1, { descriptors: false });
    analyzer.push([new Float32Array(8000)]);
    const { analysis } = await analyzer.finish({ container: 'wav', codec: 'pcm_s16le', sampleRate: 8000, channelCount: 1, frames: 8000, durationSeconds: 1 });
    assert.equal(analysis.loudness.integratedLufs, null);
    assert.throws(() => analyzer.push([new Float32Array(10)]), /push after finish/);
  });
});
