// Review-room fixtures: short synthesized programme material as WAV bytes, and waits on the real job pipeline.
import { encodedBytes } from '../../lib/audio/encode/encodedAudio';
import { musicLikeSignal } from '../../lib/audio/encode/testSignals';
import { encodeWav } from '../../lib/audio/encode/wav';
import { call, type WebUser } from './webClient';

/** A music-like stereo 16-bit WAV; `gain` scales it (a reference is usually louder than a mix). */
export function synthWav(seconds: number, options: { seed?: number; gain?: number; sampleRate?: number } = {}): Uint8Array {
  const pcm = musicLikeSignal(options.sampleRate ?? 44100, seconds, 2, options.seed ?? 1);
  const gain = options.gain ?? 1;
  if (gain !== 1) for (const ch of pcm.channels) for (let i = 0; i < ch.length; i++) ch[i] *= gain;
  return encodedBytes(encodeWav(pcm, { bitDepth: 16, dither: 'tpdf', seed: options.seed ?? 1 }));
}

export interface ReviewVersion {
  id: string;
  kind: 'mix' | 'reference' | 'master';
  version: number;
  status: string;
  label: string;
  measurements: Record<string, number | null> | null;
  settings: any;
  report: any;
  sourceMixId: string | null;
  referenceIds: string[];
  peaksVersion: string | null;
  tonal: any;
  loudnessCurve: any;
}

export async function review(baseUrl: string, user: WebUser, trackId: string): Promise<{ versions: ReviewVersion[]; masterJobs: any[] }> {
  const r = await call(baseUrl, user, 'GET', `/api/tracks/${trackId}/review`);
  if (r.status !== 200) throw new Error(`review: ${r.status} ${r.text}`);
  return r.json;
}

/** Polls the review until `predicate` holds (jobs run in the background), failing after `timeoutMs`. */
export async function waitForReview(
  baseUrl: string,
  user: WebUser,
  trackId: string,
  predicate: (r: { versions: ReviewVersion[]; masterJobs: any[] }) => boolean,
  timeoutMs = 180_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await review(baseUrl, user, trackId);
    if (predicate(r)) return r;
    if (Date.now() > deadline) throw new Error(`timed out waiting on the review: ${JSON.stringify(r.versions.map((v) => [v.label, v.status]))} jobs ${JSON.stringify(r.masterJobs)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
