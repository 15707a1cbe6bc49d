/**
 * Turns measurements into the user-facing list of problems, each with a timestamp. Thresholds live here, in one
 * place, so the wording and the limits stay consistent between the CLI summary and the web app.
 */
import type { ClippingRun } from '@/lib/audio/clipping';
import type { Click } from './clicks';
import type { Problem } from './schema';
import type { SilenceEdges } from './silence';
import { STEREO_WINDOW_MIN_LEVEL_DBFS, type StereoTimeStats } from './stereo';

export function formatTime(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}:${rest.toFixed(3).padStart(6, '0')}`;
}

export function silenceProblems(silence: SilenceEdges, durationSeconds: number): Problem[] {
  if (silence.allSilent) {
    return [{ kind: 'silence-head', severity: 'error', timeSeconds: 0, endSeconds: durationSeconds, message: 'The file is silent (nothing above -60 dBFS).' }];
  }
  const problems: Problem[] = [];
  if (silence.headSeconds >= 0.5) {
    problems.push({
      kind: 'silence-head',
      severity: silence.headSeconds >= 2 ? 'warning' : 'info',
      timeSeconds: 0,
      endSeconds: silence.headSeconds,
      message: `${silence.headSeconds.toFixed(2)} s of silence before the music starts.`,
    });
  }
  if (silence.tailSeconds >= 0.5) {
    const start = durationSeconds - silence.tailSeconds;
    problems.push({
      kind: 'silence-tail',
      severity: silence.tailSeconds >= 5 ? 'warning' : 'info',
      timeSeconds: start,
      endSeconds: durationSeconds,
      message: `${silence.tailSeconds.toFixed(2)} s of silence after the music ends.`,
    });
  }
  return problems;
}

export function clickProblems(clicks: Click[], channels: number): Problem[] {
  return clicks.map((click) => ({
    kind: 'click' as const,
    severity: 'warning' as const,
    timeSeconds: click.timeSeconds,
    ...(channels > 1 ? { channel: click.channel } : {}),
    message: `Click or pop at ${formatTime(click.timeSeconds)} (${click.prominenceDb.toFixed(0)} dB above its surroundings).`,
  }));
}

/** Merges consecutive flagged one-second windows into spans. */
function spans(stereo: StereoTimeStats, flagged: (window: StereoTimeStats['windows'][number]) => boolean): { start: number; end: number; worst: number }[] {
  const result: { start: number; end: number; worst: number }[] = [];
  for (const window of stereo.windows) {
    if (!flagged(window)) continue;
    const end = window.startSeconds + stereo.windowSeconds;
    const last = result[result.length - 1];
    if (last && Math.abs(last.end - window.startSeconds) < 1e-6) {
      last.end = end;
      last.worst = Math.min(last.worst, window.correlation);
    } else {
      result.push({ start: window.startSeconds, end, worst: window.correlation });
    }
  }
  return result;
}

export function stereoProblems(stereo: StereoTimeStats, durationSeconds: number, lowBandCorrelation: number | null): Problem[] {
  const problems: Problem[] = [];
  const clampEnd = (end: number) => Math.min(end, durationSeconds);
  if (stereo.correlation < -0.5) {
    problems.push({
      kind: 'phase-inverted',
      severity: 'error',
      timeSeconds: 0,
      endSeconds: durationSeconds,
      message: `Left and right are phase-inverted (correlation ${stereo.correlation.toFixed(2)}): the mono sum cancels.`,
    });
  } else {
    // Only windows with real signal: near-silent windows have meaningless correlation. (A fully inverted window has
    // no mid at all, so its side-to-mid ratio is +Infinity: the level, not that ratio, says whether it is audible.)
    for (const span of spans(stereo, (w) => w.correlation < -0.5 && w.levelDbfs > STEREO_WINDOW_MIN_LEVEL_DBFS)) {
      problems.push({
        kind: 'phase-inverted',
        severity: 'warning',
        timeSeconds: span.start,
        endSeconds: clampEnd(span.end),
        message: `Out-of-phase section from ${formatTime(span.start)} to ${formatTime(clampEnd(span.end))} (correlation down to ${span.worst.toFixed(2)}).`,
      });
    }
  }
  if (stereo.sideToMidDb < -40 || stereo.correlation > 0.999) {
    problems.push({
      kind: 'narrow-stereo',
      severity: 'info',
      timeSeconds: 0,
      endSeconds: durationSeconds,
      message: 'The stereo image is effectively mono (left and right are nearly identical).',
    });
  } else if (stereo.sideToMidDb > -3 && stereo.correlation >= -0.5) {
    problems.push({
      kind: 'wide-stereo',
      severity: 'warning',
      timeSeconds: 0,
      endSeconds: durationSeconds,
      message: `Very wide stereo image: side is ${stereo.sideToMidDb.toFixed(1)} dB relative to mid.`,
    });
  }
  const lowBandOut = lowBandCorrelation !== null && lowBandCorrelation < 0.3;
  if (stereo.correlation >= -0.5 && (stereo.monoFoldDownDb < -4.5 || lowBandOut)) {
    problems.push({
      kind: 'mono-compatibility',
      severity: 'warning',
      timeSeconds: 0,
      endSeconds: durationSeconds,
      message: lowBandOut
        ? `Low end is weakly correlated (${lowBandCorrelation.toFixed(2)} below 150 Hz): bass will thin out in mono.`
        : `The mono fold-down loses ${(-stereo.monoFoldDownDb).toFixed(1)} dB: parts of the mix cancel in mono.`,
    });
  }
  return problems;
}

export function sortProblems(problems: Problem[]): Problem[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return problems.sort((a, b) => a.timeSeconds - b.timeSeconds || rank[a.severity] - rank[b.severity]);
}

/** -50 dBFS of DC eats headroom and thumps at edits; below that it is harmless. */
export const DC_OFFSET_WARNING_DBFS = -50;

export function dcOffsetProblems(channelMeanDbfs: number[], durationSeconds: number): Problem[] {
  const problems: Problem[] = [];
  channelMeanDbfs.forEach((level, channel) => {
    if (!(level >= DC_OFFSET_WARNING_DBFS)) return;
    problems.push({
      kind: 'dc-offset',
      severity: level >= -30 ? 'error' : 'warning',
      timeSeconds: 0,
      endSeconds: durationSeconds,
      ...(channelMeanDbfs.length > 1 ? { channel } : {}),
      message: `DC offset of ${level.toFixed(1)} dBFS in ${channelMeanDbfs.length > 1 ? (channel === 0 ? 'the left channel' : 'the right channel') : 'the signal'}.`,
    });
  });
  return problems;
}

/** Clipped runs within half a second of each other are one problem; at most 50 are listed. */
export function clippingProblems(runs: ClippingRun[], runCount: number, sampleRate: number): Problem[] {
  const problems: Problem[] = [];
  for (const run of [...runs].sort((a, b) => a.startSeconds - b.startSeconds)) {
    const end = run.startSeconds + run.lengthSamples / sampleRate;
    const last = problems[problems.length - 1];
    if (last && run.startSeconds - (last.endSeconds ?? last.timeSeconds) < 0.5) {
      last.endSeconds = Math.max(last.endSeconds ?? end, end);
      continue;
    }
    if (problems.length >= 50) break;
    problems.push({ kind: 'clipping', severity: 'warning', timeSeconds: run.startSeconds, endSeconds: end, message: '' });
  }
  for (const problem of problems) {
    problem.message = `Clipping (flat-topped samples) at ${formatTime(problem.timeSeconds)}${runCount > runs.length ? `; ${runCount} clipped runs in total` : ''}.`;
  }
  if (runCount > 100) for (const problem of problems) problem.severity = 'error';
  return problems;
}
