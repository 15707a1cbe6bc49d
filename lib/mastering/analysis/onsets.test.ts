import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedAudio } from '@/lib/audio/types';
import { analyzeAudio } from './analyze';
import { detectOnsets, pickOnsets } from './onsets';

const monoRate = 11025;

function sine(frequencyHz: number, amplitude: number, seconds: number, sampleRate = monoRate): Float32Array {
  return new Float32Array(Math.round(seconds * sampleRate)).map((_, i) => amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate + 0.3));
}

/** Kicks (decaying 60 Hz burst with a short noisy click) every 1/rateHz seconds, the first at `firstSeconds`. */
function kickTrain(rateHz: number, seconds: number, firstSeconds: number, sampleRate = monoRate): { samples: Float32Array; timesSeconds: number[] } {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  let seed = 3;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const timesSeconds: number[] = [];
  for (let t = firstSeconds; t < seconds - 0.2; t += 1 / rateHz) {
    timesSeconds.push(t);
    const start = Math.round(t * sampleRate);
    for (let i = 0; i < 0.2 * sampleRate; i++) {
      const body = 0.8 * Math.exp(-i / (0.04 * sampleRate)) * Math.sin((2 * Math.PI * 60 * i) / sampleRate);
      const click = i < 30 ? 0.3 * random() * Math.exp(-i / 5) : 0;
      samples[start + i] += body + click;
    }
  }
  return { samples, timesSeconds };
}

test('a steady sine has no onsets, whatever its pitch and level', async () => {
  for (const frequencyHz of [55, 220, 440, 1234.5, 5000]) {
    for (const amplitude of [0.001, 0.5, 1]) {
      const result = await detectOnsets({ sampleRate: monoRate, samples: sine(frequencyHz, amplitude, 3) });
      assert.deepEqual(result.onsetTimesSeconds, [], `${frequencyHz} Hz at ${amplitude}`);
    }
  }
});

test('the full analysis reports ~0 onsets/s for a 3 s stereo 440 Hz sine', async () => {
  const sampleRate = 44100;
  const tone = sine(440, 0.5, 3, sampleRate);
  const decoded: DecodedAudio = {
    sampleRate,
    channels: [tone, tone.slice()],
    format: { container: 'wav', codec: 'pcm_f32le', sampleRate, channelCount: 2, frames: tone.length, durationSeconds: 3 },
  };
  const analysis = await analyzeAudio(decoded, { descriptors: false });
  assert.ok(analysis.dynamics.onsetsPerSecond < 0.5, `${analysis.dynamics.onsetsPerSecond} onsets/s`);
});

test('a 4 Hz kick train reads as ~4 onsets/s, one per kick', async () => {
  const { samples, timesSeconds } = kickTrain(4, 8, 0.5);
  const result = await detectOnsets({ sampleRate: monoRate, samples });
  const perSecond = result.onsetTimesSeconds.length / 8;
  assert.ok(perSecond > 3.5 && perSecond < 4.5, `${perSecond} onsets/s`);
  assert.equal(result.onsetTimesSeconds.length, timesSeconds.length);
  // Times are frame starts: a kick shows once it enters the 46 ms frame, so up to a frame early.
  for (const [i, t] of result.onsetTimesSeconds.entries()) assert.ok(t > timesSeconds[i] - 0.05 && t < timesSeconds[i] + 0.03, `onset ${t} vs kick ${timesSeconds[i]}`);
});

test('the same kicks under a steady tone are still found', async () => {
  const { samples, timesSeconds } = kickTrain(4, 8, 0.5);
  const tone = sine(330, 0.3, 8);
  const mixed = samples.map((v, i) => v + tone[i]);
  const result = await detectOnsets({ sampleRate: monoRate, samples: mixed });
  assert.equal(result.onsetTimesSeconds.length, timesSeconds.length);
});

test('no onset is reported at the very edges of the curve', () => {
  const rateHz = 43;
  const novelty = new Float32Array(10 * rateHz);
  novelty[1] = 100;
  novelty[novelty.length - 2] = 100;
  novelty[5 * rateHz] = 100;
  assert.deepEqual(pickOnsets(novelty, rateHz), [(5 * rateHz) / rateHz]);
});
