/** Shared axes for the review charts: log frequency (20 Hz – 20 kHz) and linear dB, in SVG user units. */
export const FREQ_MIN_HZ = 20;
export const FREQ_MAX_HZ = 20000;

export function xOfFrequency(hz: number, width: number): number {
  const f = Math.min(FREQ_MAX_HZ, Math.max(FREQ_MIN_HZ, hz));
  return (Math.log10(f / FREQ_MIN_HZ) / Math.log10(FREQ_MAX_HZ / FREQ_MIN_HZ)) * width;
}

export function frequencyOfX(x: number, width: number): number {
  return FREQ_MIN_HZ * (FREQ_MAX_HZ / FREQ_MIN_HZ) ** Math.min(1, Math.max(0, x / width));
}

export function yOfDb(db: number, minDb: number, maxDb: number, height: number): number {
  return height - ((Math.min(maxDb, Math.max(minDb, db)) - minDb) / (maxDb - minDb)) * height;
}

/** Range covering the values, padded and snapped to `step` dB so the grid lands on round numbers. */
export function niceRange(values: (number | null)[], step = 6, fallback: [number, number] = [-48, 0]): [number, number] {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return fallback;
  const lo = Math.floor((Math.min(...finite) - 2) / step) * step;
  const hi = Math.ceil((Math.max(...finite) + 2) / step) * step;
  return hi - lo < step * 2 ? [lo - step, hi + step] : [lo, hi];
}

/** An SVG path through the points, broken where a value is missing. */
export function linePath(points: { x: number; y: number | null }[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

export const FREQ_TICKS_HZ = [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];

export function formatHz(hz: number): string {
  return hz >= 1000 ? `${Number((hz / 1000).toFixed(hz >= 10000 ? 0 : 1))}k` : `${Math.round(hz)}`;
}

/** Distinct, colour-blind-friendlier colours for up to eight sources. */
export const SOURCE_COLORS = ['#7fb2ff', '#ffb454', '#7be0a5', '#ff7aa8', '#c9a7ff', '#f5e663', '#63d3f5', '#ff8c69'];
