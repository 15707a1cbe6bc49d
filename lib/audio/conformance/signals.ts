/**
 * Building blocks for the EBU conformance signals: sine segments and silence, synthesised in float64 and stored as
 * Float32 like decoded audio. The EBU test set ships as WAV files; synthesising them keeps the repository free of
 * audio and lets every case run at any sample rate.
 */
import type { PcmAudio } from '../types';

export interface ToneSegment {
  kind: 'tone';
  durationSeconds: number;
  /** Peak level of the sine, dB relative to full scale (0 dBFS = amplitude 1.0). */
  levelDbfs: number;
  frequencyHz?: number;
  /** Start phase in degrees; phase runs continuously across consecutive tone segments of the same frequency. */
  phaseDegrees?: number;
  /** Linear amplitude; overrides levelDbfs when given (Tech 3341 case 19 states 1.41, not a dB value). */
  amplitude?: number;
  /** Raised-cosine fade-in and fade-out length. Default 0 (hard edges). */
  fadeSeconds?: number;
}

export interface SilenceSegment {
  kind: 'silence';
  durationSeconds: number;
}

export type Segment = ToneSegment | SilenceSegment;

export function tone(durationSeconds: number, levelDbfs: number, extra: Partial<ToneSegment> = {}): ToneSegment {
  return { kind: 'tone', durationSeconds, levelDbfs, ...extra };
}

export function silence(durationSeconds: number): SilenceSegment {
  return { kind: 'silence', durationSeconds };
}

/**
 * Concatenates segments into identical channels. Segment boundaries are rounded to whole samples from the
 * cumulative time, so lengths never drift.
 */
export function synthesize(segments: readonly Segment[], sampleRate: number, channelCount = 2): PcmAudio {
  let totalSeconds = 0;
  for (const s of segments) totalSeconds += s.durationSeconds;
  const frames = Math.round(totalSeconds * sampleRate);
  const data = new Float32Array(frames);
  let t = 0;
  let phaseSamples = 0; // running sample index inside a continuous tone, so frequency changes stay phase-continuous
  for (const s of segments) {
    const a = Math.round(t * sampleRate);
    t += s.durationSeconds;
    const b = Math.round(t * sampleRate);
    if (s.kind === 'silence') {
      phaseSamples = 0;
      continue;
    }
    const amplitude = s.amplitude ?? Math.pow(10, s.levelDbfs / 20);
    const w = (2 * Math.PI * (s.frequencyHz ?? 1000)) / sampleRate;
    const phase = ((s.phaseDegrees ?? 0) * Math.PI) / 180;
    for (let i = a; i < b; i++) data[i] = amplitude * Math.sin(w * (phaseSamples + i - a) + phase);
    const fade = Math.min(Math.round((s.fadeSeconds ?? 0) * sampleRate), Math.floor((b - a) / 2));
    for (let i = 0; i < fade; i++) {
      const g = 0.5 * (1 - Math.cos((Math.PI * (i + 0.5)) / fade));
      data[a + i] *= g;
      data[b - 1 - i] *= g;
    }
    phaseSamples += b - a;
  }
  return { sampleRate, channels: Array.from({ length: channelCount }, (_, c) => (c === 0 ? data : data.slice())) };
}
