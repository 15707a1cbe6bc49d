/** "m:ss.s" for display next to comments. */
export function formatTimecode(timeSeconds: number): string {
  const m = Math.floor(timeSeconds / 60);
  const s = timeSeconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/** Reads what people type in a time field: "42", "0:42", "1:02.5", "1:02:03". Null when it is not a time. */
export function parseTimecode(text: string): number | null {
  const t = text.trim();
  if (!t) return null;
  if (!/^\d+(:\d{1,2}){0,2}(\.\d+)?$/.test(t)) return null;
  const parts = t.split(':').map(Number);
  let seconds = 0;
  for (const p of parts) seconds = seconds * 60 + p;
  return Number.isFinite(seconds) ? seconds : null;
}
