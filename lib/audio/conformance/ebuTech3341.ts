/**
 * EBU Tech 3341 (v3 2016 / v4 2023) "EBU Mode" minimum-requirement test signals, synthesised.
 *
 * Cases 1-5, 9, 12 and 15-19 follow the signal definitions of the specification (stereo 1 kHz sines at stated
 * levels and durations; true-peak sines at fs/4, fs/6, fs/8 with stated amplitude and phase). Cases 10, 11, 13 and
 * 14 are reconstructed from their stated expectations: the official files are tone bursts of 3 s (short-term) or
 * 0.4 s (momentary) at arbitrary offsets, resp. a staircase of bursts from -38 to -19 LUFS, and the meter must read
 * the stated maxima. Cases 6 (5.0 file), 7 and 8 (authentic programme) and 20-23 (inter-sample test files) need the
 * official recordings and are not synthesised.
 */
import type { PcmAudio } from '../types';
import { silence, synthesize, tone, type Segment } from './signals';

export interface Tech3341Case {
  id: string;
  description: string;
  signal: PcmAudio;
  expect: {
    integratedLufs?: number;
    /** Short-term loudness everywhere after the first 3 s. */
    shortTermConstantLufs?: number;
    /** Momentary loudness everywhere after the first 1 s. */
    momentaryConstantLufs?: number;
    shortTermMaxLufs?: number;
    momentaryMaxLufs?: number;
    /** Max short-term (resp. momentary) loudness after each segment, for the staircase cases. */
    shortTermMaxSteps?: { endSeconds: number; lufs: number }[];
    momentaryMaxSteps?: { endSeconds: number; lufs: number }[];
    truePeakDbtp?: number;
  };
}

/** Tolerances of Tech 3341 §2.9. */
export const LOUDNESS_TOLERANCE_LU = 0.1;
export const TRUE_PEAK_TOLERANCE_DB = { above: 0.2, below: 0.4 } as const;

function stereo(segments: Segment[], sampleRate: number): PcmAudio {
  return synthesize(segments, sampleRate, 2);
}

export function tech3341Cases(sampleRate: number): Tech3341Case[] {
  const cases: Tech3341Case[] = [
    {
      id: '1',
      description: 'stereo sine 1 kHz at -23 dBFS, 20 s',
      signal: stereo([tone(20, -23)], sampleRate),
      expect: { integratedLufs: -23, shortTermMaxLufs: -23, momentaryMaxLufs: -23 },
    },
    {
      id: '2',
      description: 'stereo sine 1 kHz at -33 dBFS, 20 s',
      signal: stereo([tone(20, -33)], sampleRate),
      expect: { integratedLufs: -33, shortTermMaxLufs: -33, momentaryMaxLufs: -33 },
    },
    {
      id: '3',
      description: '-36 dBFS 10 s, -23 dBFS 60 s, -36 dBFS 10 s (relative gate)',
      signal: stereo([tone(10, -36), tone(60, -23), tone(10, -36)], sampleRate),
      expect: { integratedLufs: -23 },
    },
    {
      id: '4',
      description: '-72, -36, -23, -36, -72 dBFS for 10, 10, 60, 10, 10 s (absolute and relative gates)',
      signal: stereo([tone(10, -72), tone(10, -36), tone(60, -23), tone(10, -36), tone(10, -72)], sampleRate),
      expect: { integratedLufs: -23 },
    },
    {
      id: '5',
      description: '-26 dBFS 20 s, -20 dBFS 20.1 s, -26 dBFS 20 s',
      signal: stereo([tone(20, -26), tone(20.1, -20), tone(20, -26)], sampleRate),
      expect: { integratedLufs: -23 },
    },
  ];

  // Case 9: 1.34 s at -20 dBFS then 1.66 s at -30 dBFS, five times: every 3 s window holds the same energy.
  const case9: Segment[] = [];
  for (let i = 0; i < 5; i++) case9.push(tone(1.34, -20), tone(1.66, -30));
  cases.push({
    id: '9',
    description: 'alternating 1.34 s at -20 dBFS / 1.66 s at -30 dBFS, period 3 s',
    signal: stereo(case9, sampleRate),
    expect: { shortTermConstantLufs: -23, shortTermMaxLufs: -23 },
  });

  // Case 10 (reconstructed): a 3 s burst at -23 dBFS after silence of varying, off-grid length.
  for (let i = 1; i <= 20; i++) {
    const offset = 0.137 * i + 0.0031 * i * i;
    cases.push({
      id: `10-${i}`,
      description: `3 s burst at -23 dBFS after ${offset.toFixed(4)} s of silence`,
      signal: stereo([silence(offset), tone(3, -23), silence(1)], sampleRate),
      expect: { shortTermMaxLufs: -23 },
    });
  }

  // Case 11 (reconstructed): staircase of 3 s bursts, -38 ... -19 dBFS, separated by silence.
  {
    const segments: Segment[] = [];
    const steps: { endSeconds: number; lufs: number }[] = [];
    let t = 0;
    for (let level = -38; level <= -19; level++) {
      segments.push(silence(1.2345), tone(3, level), silence(1));
      t += 5.2345;
      steps.push({ endSeconds: t, lufs: level });
    }
    cases.push({
      id: '11',
      description: 'twenty 3 s bursts from -38 to -19 dBFS',
      signal: stereo(segments, sampleRate),
      expect: { shortTermMaxSteps: steps },
    });
  }

  // Case 12: 0.18 s at -20 dBFS then 0.22 s at -30 dBFS, repeated: every 400 ms window holds the same energy.
  const case12: Segment[] = [];
  for (let i = 0; i < 25; i++) case12.push(tone(0.18, -20), tone(0.22, -30));
  cases.push({
    id: '12',
    description: 'alternating 0.18 s at -20 dBFS / 0.22 s at -30 dBFS, period 0.4 s',
    signal: stereo(case12, sampleRate),
    expect: { momentaryConstantLufs: -23, momentaryMaxLufs: -23 },
  });

  // Case 13 (reconstructed): a 0.4 s burst at -23 dBFS after silence of varying, off-grid length.
  for (let i = 1; i <= 20; i++) {
    const offset = 0.0137 * i + 0.00031 * i * i;
    cases.push({
      id: `13-${i}`,
      description: `0.4 s burst at -23 dBFS after ${offset.toFixed(5)} s of silence`,
      signal: stereo([silence(offset), tone(0.4, -23), silence(0.5)], sampleRate),
      expect: { momentaryMaxLufs: -23 },
    });
  }

  // Case 14 (reconstructed): staircase of 0.4 s bursts, -38 ... -19 dBFS.
  {
    const segments: Segment[] = [];
    const steps: { endSeconds: number; lufs: number }[] = [];
    let t = 0;
    for (let level = -38; level <= -19; level++) {
      segments.push(silence(0.5123), tone(0.4, level), silence(0.5));
      t += 1.4123;
      steps.push({ endSeconds: t, lufs: level });
    }
    cases.push({
      id: '14',
      description: 'twenty 0.4 s bursts from -38 to -19 dBFS',
      signal: stereo(segments, sampleRate),
      expect: { momentaryMaxSteps: steps },
    });
  }

  // Cases 15-19: true peak. Sines whose samples miss the waveform peak by a known phase. A 20 ms raised-cosine fade
  // at both ends: a hard onset against the implied silence before the file rings (Gibbs) up to 0.4 dB above the
  // steady-state crest, which is real but is not what these cases measure.
  const tp = (id: string, divisor: number, amplitude: number, phaseDegrees: number, dbtp: number): Tech3341Case => ({
    id,
    description: `sine at fs/${divisor}, amplitude ${amplitude}, phase ${phaseDegrees} deg`,
    signal: stereo(
      [tone(3, 0, { frequencyHz: sampleRate / divisor, amplitude, phaseDegrees, fadeSeconds: 0.02 })],
      sampleRate,
    ),
    expect: { truePeakDbtp: dbtp },
  });
  cases.push(
    tp('15', 4, 0.5, 0, -6),
    tp('16', 4, 0.5, 45, -6),
    tp('17', 6, 0.5, 60, -6),
    tp('18', 8, 0.5, 67.5, -6),
    tp('19', 4, 1.41, 45, 3),
  );
  return cases;
}
