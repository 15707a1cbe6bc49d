/**
 * Clicks and pops: isolated discontinuities. The second difference x[n] - 2x[n-1] + x[n-2] is small for anything
 * band-limited (it falls 12 dB per octave below fs/6) and large for a step or spike, so a click stands far above the
 * second-difference level of its neighbourhood while a drum hit raises the neighbourhood too. Thresholds were set on
 * the corpus: sharp synthetic kicks and claps there reach 18-27 dB of isolation, so only isolated jumps above 28 dB count.
 */
import { SECOND_DIFFERENCE_BLOCK } from '@/lib/audio/levelScan';

export interface Click {
  timeSeconds: number;
  channel: number;
  /** Second-difference peak over the local reference level, in dB. */
  prominenceDb: number;
}

const BLOCK = 256;
const NEIGHBOURS = 4;
/** Block peak over the median peak of its neighbour blocks: a cheap filter before the exact test. */
const PROMINENCE = 4;
/** Peak over its own ±64-sample surroundings. */
const ISOLATION = 25; // 28 dB: sharp synthetic kicks and claps in real music reach 18-27 dB
/** Ignore discontinuities smaller than this (-40 dBFS): inaudible under music. */
const MIN_JUMP = 0.01;

/**
 * The second stage fed in pieces, behind the level scan that computes the first (LevelScanner's second-difference
 * maxima): a block is judged once its four following blocks are known and its samples (±64 around it) are in view.
 */
export class ClickDetector {
  private readonly found: Click[] = [];
  /** Blocks judged so far, per channel. */
  private done: number[];

  constructor(
    private readonly sampleRate: number,
    channelCount: number,
  ) {
    if (SECOND_DIFFERENCE_BLOCK !== BLOCK) throw new Error('click blocks differ from the level scan');
    this.done = new Array<number>(channelCount).fill(0);
  }

  /** Frames before `scanned` have their block maxima in `blockMax`; `x[c][i - base]` is frame i. */
  scan(channels: readonly Float32Array[], base: number, scanned: number, blockMax: (channel: number) => Float32Array): void {
    // Until nine blocks exist the signal may turn out too short to judge at all.
    if (scanned < (2 * NEIGHBOURS + 1) * BLOCK) return;
    const ready = Math.floor(scanned / BLOCK) - NEIGHBOURS;
    channels.forEach((samples, channel) => {
      if (ready <= this.done[channel]) return;
      secondStage(samples, base, blockMax(channel), this.done[channel], ready, Infinity, Infinity, channel, this.sampleRate, this.found);
      this.done[channel] = ready;
    });
  }

  finish(channels: readonly Float32Array[], base: number, frames: number, blockMax: readonly Float32Array[], maxClicks = 200): Click[] {
    const blocks = Math.floor(frames / BLOCK);
    channels.forEach((samples, channel) => {
      if (blocks < 2 * NEIGHBOURS + 1) return;
      secondStage(samples, base, blockMax[channel], this.done[channel], blocks, blocks, frames, channel, this.sampleRate, this.found);
      this.done[channel] = blocks;
    });
    return mergeClicks(this.found, maxClicks);
  }
}

/**
 * Blocks [bFrom, bTo) of one channel. `blocks` (the total, for clamping the neighbourhood at the end) and `frames` are
 * Infinity while the signal's end is still ahead. Sample `i - base` is frame i.
 */
function secondStage(samples: Float32Array, base: number, blockMax: Float32Array, bFrom: number, bTo: number, blocks: number, frames: number, channel: number, sampleRate: number, found: Click[]): void {
  const neighbourhood = new Float32Array(2 * NEIGHBOURS);
  for (let b = bFrom; b < bTo; b++) {
    if (blockMax[b] < MIN_JUMP) continue;
    let count = 0;
    for (let j = b - NEIGHBOURS; j <= b + NEIGHBOURS; j++) {
      if (j === b) continue;
      neighbourhood[count++] = blockMax[Math.min(blocks - 1, Math.max(0, j))];
    }
    neighbourhood.sort();
    const reference = Math.max(1e-7, (neighbourhood[NEIGHBOURS - 1] + neighbourhood[NEIGHBOURS]) / 2);
    if (blockMax[b] < PROMINENCE * reference) continue;
    let peakIndex = b * BLOCK;
    let peak = 0;
    for (let i = Math.max(2, b * BLOCK); i < (b + 1) * BLOCK; i++) {
      const r = i - base;
      const e = Math.abs(samples[r] - 2 * samples[r - 1] + samples[r - 2]);
      if (e > peak) {
        peak = e;
        peakIndex = i;
      }
    }
    // Second stage at sample level: a click is isolated, a percussive attack keeps the second difference high for
    // many samples around its peak. Compare the peak with the level of its ±64-sample surroundings (±2 excluded).
    let around = 0;
    let count2 = 0;
    for (let i = Math.max(2, peakIndex - 64); i < Math.min(frames, peakIndex + 65); i++) {
      if (Math.abs(i - peakIndex) <= 2) continue;
      const r = i - base;
      const e = samples[r] - 2 * samples[r - 1] + samples[r - 2];
      around += e * e;
      count2++;
    }
    const aroundRms = Math.sqrt(around / Math.max(1, count2));
    if (peak < ISOLATION * aroundRms) continue;
    // The second difference of a spike at n peaks at n+1; of a step at n, at n and n+1: report the sample before.
    found.push({ timeSeconds: (peakIndex - 1) / sampleRate, channel, prominenceDb: 20 * Math.log10(peak / Math.max(1e-9, aroundRms)) });
  }
}

function mergeClicks(found: Click[], maxClicks: number): Click[] {
  found.sort((a, b) => a.timeSeconds - b.timeSeconds);
  // One click seen in both channels is one event.
  const merged: Click[] = [];
  for (const click of found) {
    const last = merged[merged.length - 1];
    if (last && click.timeSeconds - last.timeSeconds < 0.005) {
      if (click.prominenceDb > last.prominenceDb) last.prominenceDb = click.prominenceDb;
      continue;
    }
    merged.push({ ...click });
  }
  if (merged.length <= maxClicks) return merged;
  return merged.sort((a, b) => b.prominenceDb - a.prominenceDb).slice(0, maxClicks).sort((a, b) => a.timeSeconds - b.timeSeconds);
}
