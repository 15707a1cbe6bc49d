/**
 * DC offset: the mean of each channel. Reported linear (fraction of full scale) and in dBFS of its magnitude, since a
 * mastering engineer reads "-60 dB of DC" more easily than "0.001". Summed in float64 so long files do not drift.
 */
import type { PcmAudio } from './types';

export interface DcOffsetResult {
  /** Signed mean per channel, full scale = 1.0. */
  channelMean: number[];
  /** 20*log10(|mean|); -Infinity when exactly zero. */
  channelMeanDbfs: number[];
  /** The largest |mean| over channels, in dBFS. */
  maxDbfs: number;
}

export function measureDcOffset(pcm: PcmAudio): DcOffsetResult {
  const means = pcm.channels.map((x) => {
    // Pairwise partial sums keep the float64 error negligible even over hours of audio.
    let total = 0;
    const chunk = 65536;
    for (let a = 0; a < x.length; a += chunk) {
      let s = 0;
      const end = Math.min(x.length, a + chunk);
      for (let i = a; i < end; i++) s += x[i];
      total += s;
    }
    return x.length ? total / x.length : 0;
  });
  const toDb = (v: number) => (v !== 0 ? 20 * Math.log10(Math.abs(v)) : -Infinity);
  const dbs = means.map(toDb);
  return { channelMean: means, channelMeanDbfs: dbs, maxDbfs: Math.max(-Infinity, ...dbs) };
}
