import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blocksFrom } from '@/lib/audio/encode/wav';
import { encodedBytes } from '@/lib/audio/encode/encodedAudio';
import { outputSettingsSchema } from '../settings';
import { ChainWorker } from './chainWorkerClient';
import { encodeMaster } from './encodeMaster';

test('a WAV written on two threads (one channel each) is the one written on one, byte for byte', async () => {
  const sampleRate = 44100;
  // Longer than one WAV block (32768 frames), with an odd tail; in shared memory, as the master's buffers are.
  const frames = 3 * 32768 + 1001;
  let seed = 3;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const channels = [0, 1].map((c) => {
    const x = new Float32Array(new SharedArrayBuffer(frames * 4));
    for (let i = 0; i < frames; i++) x[i] = 0.5 * Math.sin(0.01 * (c + 1) * i) + 0.01 * rand();
    return x;
  });
  const worker = new ChainWorker();
  try {
    for (const format of ['wav24', 'wav16'] as const) {
      for (const noiseShaping of ['none', 'lipshitz'] as const) {
        const output = outputSettingsSchema.parse({ format, sampleRate: null, dither: 'tpdf', noiseShaping, metadata: { title: 'Two threads' } });
        const regions = () => [new Uint8Array(new SharedArrayBuffer(frames * 6 + 64))];
        const loudness = { integratedLufs: -10, loudnessRangeLu: 4, maxTruePeakDbtp: -1, maxMomentaryLufs: -6, maxShortTermLufs: -8 };
        const one = await encodeMaster({ sampleRate, channels }, output, loudness, { allocateBlock: blocksFrom(regions()) });
        const two = await encodeMaster({ sampleRate, channels }, output, loudness, { allocateBlock: blocksFrom(regions()), worker });
        const a = encodedBytes(one);
        const b = encodedBytes(two);
        // The bext origination date and time are the same within a test run unless a second boundary falls between.
        assert.equal(a.length, b.length, `${format}, ${noiseShaping}`);
        const dataA = a.subarray(a.length - frames * (format === 'wav24' ? 6 : 4));
        const dataB = b.subarray(b.length - frames * (format === 'wav24' ? 6 : 4));
        assert.ok(Buffer.from(dataA).equals(Buffer.from(dataB)), `${format}, ${noiseShaping}: the sample data differ`);
      }
    }
  } finally {
    await worker.close();
  }
});
