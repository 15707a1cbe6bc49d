import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeDynamicComplexity } from './dynamicComplexity';
import { loadEssentia, withVectors } from './essentia';

const sampleRate = 11025;

function essentiaDynamicComplexity(samples: Float32Array): { dynamicComplexity: number; loudness: number } {
  const essentia = loadEssentia();
  return withVectors((track) => essentia.DynamicComplexity(track(essentia.arrayToVector(samples)), 0.2, sampleRate));
}

function noise(seed: number): () => number {
  let state = seed;
  return () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Signals that exercise each part of the definition: level steps, silence at either end or inside, a fade, a partial frame. */
const cases: Record<string, { seconds: number; sample: (i: number, n: number, random: () => number) => number }> = {
  'level steps after a silent head': { seconds: 20, sample: (i, _n, r) => (i < 2 * sampleRate ? 0 : r() * (Math.floor(i / sampleRate) % 3 === 0 ? 0.5 : 0.05)) },
  'silent tail': { seconds: 20, sample: (i, n, r) => (i > n - 2 * sampleRate ? 0 : r() * 0.3) },
  'silence in the middle': { seconds: 20, sample: (i, n, r) => (Math.abs(i - n / 2) < sampleRate ? 0 : r() * 0.3) },
  'exponential fade-out': { seconds: 20, sample: (i, n, r) => r() * 0.3 * Math.exp((-3 * Math.max(0, i - n / 2)) / sampleRate) },
  'very quiet head': { seconds: 20, sample: (i, _n, r) => r() * (i < 3 * sampleRate ? 1e-5 : 0.3) },
  'tone with a partial last frame': { seconds: 10.13, sample: (i) => 0.4 * Math.sin((2 * Math.PI * 220 * i) / sampleRate) * (1 + 0.5 * Math.sin((2 * Math.PI * 0.5 * i) / sampleRate)) },
};

for (const [name, { seconds, sample }] of Object.entries(cases)) {
  test(`dynamic complexity matches essentia's DynamicComplexity: ${name}`, () => {
    const n = Math.round(seconds * sampleRate);
    const random = noise(7);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = sample(i, n, random);
    const ours = computeDynamicComplexity(x, sampleRate, 0.2);
    const theirs = essentiaDynamicComplexity(x);
    assert.ok(theirs.dynamicComplexity > 0.01, `the case must have some dynamics (${theirs.dynamicComplexity})`);
    assert.ok(Math.abs(ours.dynamicComplexity - theirs.dynamicComplexity) <= 1e-3 * theirs.dynamicComplexity + 1e-4, `ours ${ours.dynamicComplexity}, essentia ${theirs.dynamicComplexity}`);
    assert.ok(Math.abs(ours.loudnessDb - theirs.loudness) <= 0.01, `loudness ours ${ours.loudnessDb}, essentia ${theirs.loudness}`);
  });
}

test('silence and too-short input read as essentia reports them', () => {
  for (const length of [10, sampleRate * 3]) {
    const silence = new Float32Array(length);
    const theirs = essentiaDynamicComplexity(silence);
    assert.deepEqual(computeDynamicComplexity(silence, sampleRate), { dynamicComplexity: theirs.dynamicComplexity, loudnessDb: theirs.loudness });
  }
});

test('a steady signal has almost no dynamic complexity, a stepped one has a lot', () => {
  const steady = new Float32Array(sampleRate * 10).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
  const stepped = steady.map((v, i) => (Math.floor(i / sampleRate) % 2 ? v : v * 0.01));
  assert.ok(computeDynamicComplexity(steady, sampleRate).dynamicComplexity < 0.1);
  assert.ok(computeDynamicComplexity(stepped, sampleRate).dynamicComplexity > 10);
});
