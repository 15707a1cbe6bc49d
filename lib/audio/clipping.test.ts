import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findClipping } from './clipping';

test('clipping: runs of >= 3 samples at the rails, with position, length and polarity', () => {
  const fs = 1000;
  const x = new Float32Array(100);
  x.fill(1, 10, 14); // 4-sample flat top
  x.fill(-1, 20, 22); // only 2: not a run
  x.fill(-0.9995, 30, 33); // at the threshold's magnitude: counts
  x[50] = 1;
  x[51] = -1;
  x[52] = 1; // alternating rails: no flat top
  x.fill(1, 97, 100); // run reaching the end
  const y = new Float32Array(100);
  y.fill(0.9, 0, 100); // loud but below threshold
  const r = findClipping({ sampleRate: fs, channels: [x, y] });
  assert.equal(r.runCount, 3);
  assert.deepEqual(
    r.runs.map((run) => [run.channel, run.startFrame, run.lengthSamples, run.polarity]),
    [
      [0, 10, 4, 1],
      [0, 30, 3, -1],
      [0, 97, 3, 1],
    ],
  );
  assert.equal(r.runs[0].startSeconds, 0.01);
  assert.equal(r.clippedSamples, 10);
  assert.equal(findClipping({ sampleRate: fs, channels: [x] }, { minRunSamples: 2 }).runCount, 4);
  assert.equal(findClipping({ sampleRate: fs, channels: [x] }, { maxRuns: 1 }).runs.length, 1);
});
