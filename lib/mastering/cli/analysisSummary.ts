/** Human-readable summary of an AnalysisResult for the terminal: an aligned two-column table, then problems. */
import { formatTime } from '@/lib/mastering/analysis/problems';
import type { AnalysisResult } from '@/lib/mastering/analysis/schema';

const number = (value: number | null, digits: number, unit: string) => (value === null ? '—' : `${value.toFixed(digits)} ${unit}`.trim());

export function formatAnalysisSummary(analysis: AnalysisResult, label: string): string {
  const { loudness, stereo, dynamics, descriptors, format } = analysis;
  const key = descriptors.key ? `${descriptors.key} ${descriptors.scale ?? ''}`.trim() : '—';
  const rows: [string, string][] = [
    ['File', label],
    ['Format', `${format.container}/${format.codec}, ${analysis.sampleRate} Hz, ${analysis.channels === 1 ? 'mono' : 'stereo'}${format.bitsPerSample ? `, ${format.bitsPerSample}-bit` : ''}`],
    ['Duration', formatTime(analysis.durationSeconds)],
    ['Integrated loudness', number(loudness.integratedLufs, 1, 'LUFS')],
    ['True peak', number(loudness.truePeakDbtp, 2, 'dBTP')],
    ['Sample peak', number(loudness.samplePeakDbfs, 2, 'dBFS')],
    ['Loudness range (LRA)', number(loudness.loudnessRangeLu, 1, 'LU')],
    ['Max momentary / short-term', `${number(loudness.momentaryMaxLufs, 1, '')} / ${number(loudness.shortTermMaxLufs, 1, 'LUFS')}`],
    ['PLR', number(loudness.plrDb, 1, 'dB')],
    ['Crest factor', number(dynamics.crestFactorDb, 1, 'dB')],
    ['Stereo correlation', stereo.correlation.toFixed(2)],
    ['Width (side/mid)', number(stereo.sideToMidDb, 1, 'dB')],
    ['Key / tempo', `${key} / ${number(descriptors.tempoBpm, 1, 'BPM')}`],
    ['Dynamic complexity', number(descriptors.dynamicComplexity, 2, '')],
    ['Onsets', `${dynamics.onsetsPerSecond.toFixed(2)} /s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  lines.push('');
  if (analysis.problems.length === 0) {
    lines.push('No problems found.');
  } else {
    lines.push(`Problems (${analysis.problems.length}):`);
    for (const problem of analysis.problems) {
      const span = problem.endSeconds !== undefined ? `${formatTime(problem.timeSeconds)}-${formatTime(problem.endSeconds)}` : formatTime(problem.timeSeconds);
      lines.push(`  ${problem.severity.padEnd(7)} ${span.padEnd(19)} ${problem.kind.padEnd(18)} ${problem.message}`);
    }
  }
  return lines.join('\n') + '\n';
}
