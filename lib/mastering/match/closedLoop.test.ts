import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureLoudness } from '@/lib/audio/loudness';
import { toWorkingAudio } from '@/lib/audio/workingAudio';
import { neutralSettings } from '../settings';
import { DriveProbe, planProbe, probeCapacityFrames, searchDrive } from './closedLoop';
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
    searchDrive(full, probe, settings, loudness.integratedLufs, targetLufs, { toleranceLu: tolerance, resume });

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

test('with a next loudness level to go to, a search stops once the limiter is only levelling, short of the target', async () => {
  const mix = syntheticMix({ seconds: 90, levelDb: -20, dynamicsDb: 6, seed: 5 });
  const loudness = measureLoudness(mix);
  const full = toWorkingAudio(mix);
  const probe = new DriveProbe(planProbe(full.channels[0].length, mix.sampleRate, Array.from(loudness.shortTermCurve.lufs), loudness.shortTermCurve.hopSeconds));
  const settings = neutralSettings();
  // Past what the transparent limiter reaches without levelling (pushed on, it ends 1.3 LU short at 22 dB of drive).
  const targetLufs = loudness.integratedLufs + 14;
  // The caller would step up 0.5 LU below the target (as masterTrack does 0.3 LU below its target, 0.15 under its aim).
  const search = (nextLevel: boolean) => searchDrive(full, probe, settings, loudness.integratedLufs, targetLufs, { toleranceLu: 0.1, stepUpBelowLufs: nextLevel ? targetLufs - 0.5 : undefined });
  const levelled = await search(true);
  const pushed = await search(false);
  assert.ok(levelled.predictedLufs < targetLufs - 0.5, JSON.stringify(levelled));
  const p = levelled.previous!;
  const slope = (levelled.predictedLufs - p.predictedLufs) / (levelled.driveDb - p.driveDb);
  assert.ok(slope < 0.35 && (targetLufs - levelled.predictedLufs) / slope > 2, JSON.stringify(levelled));
  assert.ok(pushed.driveDb > levelled.driveDb + 1, `without a next level the search pushes on: ${JSON.stringify([levelled, pushed])}`);
});

test('probe buffers sized before the plan (probeCapacityFrames) hold every plan for that length and rate', () => {
  let seed = 11;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const rate of [44100, 48000, 88200, 96000, 22050]) {
    for (const seconds of [5, 60, 63.5, 64, 95, 180, 240.3, 600]) {
      const frames = Math.round(seconds * rate);
      // Short-term loudness with silences and fades at either end, or none.
      const hop = 0.1;
      const count = Math.floor(seconds / hop);
      const quietStart = Math.floor(random() * count * 0.3);
      const quietEnd = Math.floor(random() * count * 0.3);
      const shortTerm = Array.from({ length: count }, (_, k) => (k < quietStart || k >= count - quietEnd ? -Infinity : -20 + 6 * random()));
      const capacity = probeCapacityFrames(frames, rate);
      const plan = planProbe(frames, rate, shortTerm, hop);
      assert.ok(plan.length <= capacity, `${seconds} s at ${rate} Hz: plan ${plan.length} > capacity ${capacity}`);
      assert.ok(capacity <= frames);
    }
  }
});
