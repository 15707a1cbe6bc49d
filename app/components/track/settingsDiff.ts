/**
 * What changed between two versions, in words an engineer reads: settings flattened to labelled leaves (the fine EQ
 * curve summarised as its largest change instead of 200 numbers) and the measurement differences.
 */
import type { Measurements } from '@/lib/server/projects/versions';

export interface DiffRow {
  path: string;
  before: string;
  after: string;
}

const LONG_ARRAY = 12;

function show(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (Array.isArray(value)) {
    if (value.length > LONG_ARRAY && value.every((v) => typeof v === 'number')) {
      out.set(prefix, value);
      return;
    }
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    if (value.length === 0) out.set(prefix, '(none)');
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix, value);
}

/** Paths whose values differ; long numeric arrays (curves) compare as "largest change". */
export function diffSettings(before: unknown, after: unknown): DiffRow[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(before ?? {}, '', a);
  flatten(after ?? {}, '', b);
  const rows: DiffRow[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(path);
    const y = b.get(path);
    if (Array.isArray(x) && Array.isArray(y)) {
      const maxDelta = x.length === y.length ? Math.max(0, ...x.map((v: number, i) => Math.abs(v - (y[i] as number)))) : Infinity;
      if (maxDelta > 0.05) rows.push({ path, before: `${x.length} values`, after: maxDelta === Infinity ? `${y.length} values` : `max change ${maxDelta.toFixed(1)} dB` });
      continue;
    }
    if (typeof x === 'number' && typeof y === 'number' && Math.abs(x - y) < 1e-6) continue;
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    rows.push({ path, before: show(x), after: show(y) });
  }
  return rows;
}

export interface MeasurementDiffRow {
  label: string;
  unit: string;
  before: number | null;
  after: number | null;
  delta: number | null;
}

const MEASUREMENT_LABELS: [keyof Measurements, string, string][] = [
  ['integratedLufs', 'Integrated loudness', 'LUFS'],
  ['loudnessRangeLu', 'Loudness range', 'LU'],
  ['truePeakDbtp', 'True peak', 'dBTP'],
  ['plrDb', 'PLR', 'dB'],
  ['sideToMidDb', 'Width (side/mid)', 'dB'],
  ['correlation', 'Correlation', ''],
  ['shortTermMaxLufs', 'Short-term max', 'LUFS'],
];

export function diffMeasurements(before: Measurements | null, after: Measurements | null): MeasurementDiffRow[] {
  return MEASUREMENT_LABELS.map(([key, label, unit]) => {
    const x = before?.[key] ?? null;
    const y = after?.[key] ?? null;
    return { label, unit, before: x, after: y, delta: x !== null && y !== null ? y - x : null };
  });
}
