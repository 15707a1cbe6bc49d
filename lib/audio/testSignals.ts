/**
 * Deterministic synthetic program material for the processor tests (never commit audio): a bass line, kick,
 * snare-like noise bursts, a pad and hi-hat ticks, stereo with some width.
 */
export function syntheticProgram(sampleRate: number, seconds: number, seed = 1): Float64Array[] {
  const n = Math.round(sampleRate * seconds);
  const l = new Float64Array(n);
  const r = new Float64Array(n);
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const beat = Math.round(sampleRate * 0.5);
  let lpL = 0, lpR = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const k = i % beat;
    const kt = k / sampleRate;
    const kick = Math.exp(-kt * 18) * Math.sin(2 * Math.PI * (50 * kt + 60 * (1 - Math.exp(-kt * 30)) / 30));
    const bassF = [41.2, 55, 49, 36.7][Math.floor(t / 2) % 4];
    const bass = 0.35 * Math.sin(2 * Math.PI * bassF * t) + 0.1 * Math.sin(4 * Math.PI * bassF * t);
    const sk = (i + beat / 2) % beat;
    const snareEnv = Math.exp(-(sk / sampleRate) * 25);
    const pad = 0.08 * (Math.sin(2 * Math.PI * 220 * t) + Math.sin(2 * Math.PI * 277.2 * t) + Math.sin(2 * Math.PI * 329.6 * t));
    const nL = rnd(), nR = rnd();
    lpL += 0.3 * (nL - lpL);
    lpR += 0.3 * (nR - lpR);
    const hat = (i % (beat / 4)) < sampleRate * 0.01 ? 0.15 * (nL - lpL) : 0;
    const snareL = 0.5 * snareEnv * (0.7 * lpL + 0.3 * nR);
    const snareR = 0.5 * snareEnv * (0.7 * lpR + 0.3 * nL);
    l[i] = 0.45 * (0.7 * kick + bass + pad) + snareL + hat;
    r[i] = 0.45 * (0.7 * kick + bass + 0.9 * pad) + snareR - 0.5 * hat;
  }
  return [l, r];
}

/** Largest 4x-interpolated magnitude by brute force (all phases, a long windowed sinc), independent of truePeak.ts. */
export function bruteTruePeak(x: ArrayLike<number>): number {
  const half = 32;
  let peak = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > peak) peak = a;
    for (let p = 1; p < 4; p++) {
      const t = i + p / 4;
      let y = 0;
      for (let k = Math.max(0, i - half + 1); k <= Math.min(x.length - 1, i + half); k++) {
        const d = t - k;
        const w = 0.5 + 0.5 * Math.cos((Math.PI * d) / half);
        y += x[k] * (Math.sin(Math.PI * d) / (Math.PI * d)) * w;
      }
      if (Math.abs(y) > peak) peak = Math.abs(y);
    }
  }
  return peak;
}
