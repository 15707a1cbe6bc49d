import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureLoudness } from '@/lib/audio/loudness';
import { toWorkingAudio } from '@/lib/audio/workingAudio';
import { neutralSettings } from '../settings';
import { DriveProbe, planProbe, searchDrive } from './closedLoop';
import { syntheticMix } from './testSignals';

test('a coarse drive search resumed to the fine tolerance lands where a fine search does, from where it stopped', async () => {
  // Long enough for a probe of separate segments; pushed 11 LU, past where the limiter starts to take loudness.
  const mix = syntheticMix({ seconds: 90, levelDb: -20, dynamicsDb: 6, seed: 3 });
  const loudness = measureLoudness(mix);
  const full = toWorkingAudio(mix);
  const probe = new DriveProbe(planProbe(full.channels[0].length, mix.sampleRate, Array.from(loudness.shortTermCurve.lufs), loudness.shortTermCurve.hopSeconds));
  assert.ok(probe.plan.segments.length > 1);
  const settings = neutralSettings();
  const targetLufs = loudness.integratedLufs + 11;
  const search = (tolerance: number, resume?: Awaited<ReturnType<typeof searchDrive>>) =>
    searchDrive(full, probe, settings, loudness.integratedLufs, targetLufs, undefined, null, tolerance, resume);

  const fine = await search(0.05);
  assert.ok(Math.abs(fine.predictedLufs - targetLufs) < 0.05, JSON.stringify(fine));
  assert.ok(fine.probeLossDb > 0.2, `the limiter has work to do: ${JSON.stringify(fine)}`);

  const coarse = await search(0.3);
  assert.ok(Math.abs(coarse.predictedLufs - targetLufs) < 0.3, JSON.stringify(coarse));
  assert.ok(Math.abs(coarse.predictedLufs - targetLufs) >= 0.05, `this coarse search needs refining: ${JSON.stringify(coarse)}`);
  const resumed = await search(0.05, coarse);
  assert.ok(Math.abs(resumed.predictedLufs - targetLufs) < 0.05, JSON.stringify(resumed));
  assert.ok(Math.abs(resumed.driveDb - fine.driveDb) < 0.15, JSON.stringify([resumed, fine]));

  // Resuming a search already within the tolerance evaluates nothing: its last evaluation is taken as it is.
  const again = await search(0.05, resumed);
  assert.equal(again.driveDb, resumed.driveDb);
  assert.equal(again.predictedLufs, resumed.predictedLufs);
});
