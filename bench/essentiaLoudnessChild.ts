/** Child of the analyze bench: essentia's LoudnessEBUR128 alone on our decode, timing the meter only. */
import { readFileSync } from 'node:fs';
import { decodeAudio } from '@/lib/audio/decode/decode';
import { loadEssentia, withVectors } from '@/lib/mastering/analysis/essentia';

const decoded = await decodeAudio(new Uint8Array(readFileSync(process.argv[2])));
const essentia = loadEssentia();
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const [left, right = left] = decoded.channels;
const integratedLufs = withVectors((track) => {
  const result = essentia.LoudnessEBUR128(track(essentia.arrayToVector(left)), track(essentia.arrayToVector(right)), 0.1, decoded.sampleRate, false);
  track(result.momentaryLoudness);
  track(result.shortTermLoudness);
  return result.integratedLoudness;
});
const used = process.cpuUsage(cpu0);
console.log(JSON.stringify({ cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: (performance.now() - wall0) / 1000, integratedLufs }));
