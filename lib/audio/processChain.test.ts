import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processChain, type ChainStage } from './processChain';
import { syntheticProgram } from './testSignals';
import { measureTruePeak } from './truePeak';
import { toPcmAudio } from './workingAudio';

const fs = 44100;

test('null test: neutral settings return the input (bit-identical)', async () => {
  const pcm = toPcmAudio({ sampleRate: fs, channels: syntheticProgram(fs, 5) });
  const tp = measureTruePeak(pcm).truePeakDbtp;
  const stages: ChainStage[] = [
    { kind: 'eq', settings: { curve: { frequenciesHz: [100, 1000, 10000], gainsDb: [0, 0, 0] }, bands: [{ type: 'peak', frequencyHz: 1000, gainDb: 0 }] } },
    { kind: 'compressor', settings: { ratio: 1, thresholdDb: -30 } },
    { kind: 'stereoWidth', settings: { crossoverHz: [200, 2000], sideGainsDb: [0, 0, 0] } },
    { kind: 'saturation', settings: { enabled: false, driveDb: 6 } },
    { kind: 'limiter', settings: { ceilingDbtp: Math.min(0, tp + 0.5) } },
    { kind: 'gain', settings: { gainDb: 0 } },
  ];
  const { audio, stages: reports } = await processChain(pcm, { stages });
  assert.equal(reports.length, 6);
  let worst = 0;
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < pcm.channels[c].length; i++) worst = Math.max(worst, Math.abs(audio.channels[c][i] - pcm.channels[c][i]));
  }
  assert.equal(worst, 0);
});

test('null test with active linear-phase processing that cancels: flat-but-present FIR stays within -60 dB', async () => {
  const pcm = toPcmAudio({ sampleRate: fs, channels: syntheticProgram(fs, 3) });
  // +3 dB then -3 dB: both stages really run (FIR convolution and gain)
  const { audio } = await processChain(pcm, {
    stages: [
      { kind: 'eq', settings: { curve: { frequenciesHz: [1000], gainsDb: [3] } } },
      { kind: 'gain', settings: { gainDb: -3 } },
    ],
  });
  let err = 0, ref = 0;
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < audio.channels[c].length; i++) {
      err += (audio.channels[c][i] - pcm.channels[c][i]) ** 2;
      ref += pcm.channels[c][i] ** 2;
    }
  }
  const db = 10 * Math.log10(err / ref);
  assert.ok(db < -60, `residual ${db} dB`);
});

test('a full chain masters: louder, ceiling respected, stats reported', async () => {
  const pcm = toPcmAudio({ sampleRate: fs, channels: syntheticProgram(fs, 4) });
  const { audio, stages } = await processChain(pcm, {
    stages: [
      { kind: 'eq', settings: { curve: { frequenciesHz: [60, 1000, 12000], gainsDb: [2, 0, 1.5] }, bands: [{ type: 'highPass', frequencyHz: 25, q: 0.7071 }] } },
      { kind: 'compressor', settings: { ratio: 2, thresholdDb: -20, attackMs: 20, releaseMs: 150 } },
      { kind: 'stereoWidth', settings: { crossoverHz: [200, 2000], sideGainsDb: [-3, 0, 2], monoBelowHz: 80 } },
      { kind: 'saturation', settings: { enabled: true, driveDb: 3, mix: 0.5 } },
      { kind: 'limiter', settings: { inputGainDb: 6, ceilingDbtp: -1 } },
      { kind: 'gain', settings: { gainDb: -0.5 } },
    ],
  });
  const tp = measureTruePeak(audio).truePeakDbtp;
  assert.ok(tp <= -1.5 + 1e-9, `true peak ${tp}`);
  const lim = stages.find((s) => s.kind === 'limiter')?.limiter;
  const comp = stages.find((s) => s.kind === 'compressor')?.compressor;
  assert.ok(lim && lim.gainReduction.maxDb > 1);
  assert.ok(comp && comp.bands[0].maxDb > 0.5);
});
