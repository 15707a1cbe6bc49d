import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoudnessMeter, measureLoudness, subBlocksFrom } from '@/lib/audio/loudness';
import { ChainWorker } from './chainWorkerClient';
import { measureLoudnessOn2 } from './splitLoudness';

/** A render-like float64 stereo signal in shared memory: dynamic noise over a low tone, with a quiet stretch. */
function render(seconds: number, sampleRate: number): Float64Array[] {
  const n = Math.round(seconds * sampleRate) + 123;
  let seed = 17;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return [0, 1].map((c) => {
    const x = new Float64Array(new SharedArrayBuffer(n * 8));
    for (let i = 0; i < n; i++) {
      const t = i / sampleRate;
      const level = t > seconds * 0.4 && t < seconds * 0.45 ? 0.001 : 0.1 + 0.3 * Math.abs(Math.sin(t * 0.7));
      x[i] = level * (0.6 * Math.sin(2 * Math.PI * (55 + 20 * c) * t) + 0.4 * rand());
    }
    return x;
  });
}

test('a signal metered in two pieces (the second settled on a second before it) reads as one metering', () => {
  for (const sampleRate of [44100, 48000]) {
    const channels = render(40, sampleRate);
    const pcm = { sampleRate, channels: channels as unknown as Float32Array[] };
    const whole = measureLoudness(pcm);
    const first = new LoudnessMeter(sampleRate, 2);
    const mid = 1234 * first.subBlockFrames;
    first.addFrames(pcm.channels, 0, mid);
    const rest = subBlocksFrom(pcm, mid, sampleRate);
    first.appendSubBlocks(rest.energies, rest.frames);
    const split = first.result();
    assert.equal(split.frames, whole.frames);
    assert.equal(split.shortTermCurve.lufs.length, whole.shortTermCurve.lufs.length);
    for (const key of ['integratedLufs', 'loudnessRangeLu', 'momentaryMaxLufs', 'shortTermMaxLufs'] as const) {
      assert.ok(Math.abs(split[key] - whole[key]) < 1e-9, `${sampleRate} Hz ${key}: ${split[key]} vs ${whole[key]}`);
    }
    assert.throws(() => subBlocksFrom(pcm, mid + 1, sampleRate), /not a multiple of the sub-block/);
  }
});

test('measureLoudnessOn2: the worker meters the second half of a shared render, and the result is one metering', async () => {
  const sampleRate = 44100;
  const channels = render(75, sampleRate);
  const pcm = { sampleRate, channels: channels as unknown as Float32Array[] };
  const whole = measureLoudness(pcm);
  const worker = new ChainWorker();
  try {
    const split = await measureLoudnessOn2(pcm, worker);
    assert.equal(split.frames, whole.frames);
    assert.ok(Math.abs(split.integratedLufs - whole.integratedLufs) < 1e-9, `${split.integratedLufs} vs ${whole.integratedLufs}`);
    assert.ok(Math.abs(split.loudnessRangeLu - whole.loudnessRangeLu) < 1e-9);
    // Without a worker, or for audio not in shared memory, it meters here.
    assert.equal((await measureLoudnessOn2(pcm, null)).integratedLufs, whole.integratedLufs);
  } finally {
    await worker.close();
  }
});
