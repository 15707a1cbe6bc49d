/** `mastering analyze FILE [--json]` */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AudioFormatError } from '@/lib/audio/types';
import { analyzeFile } from '@/lib/mastering/analyzeFile';
import { formatAnalysisSummary } from './analysisSummary';
import { processCpuSeconds } from './processCpu';
import { UsageError } from './usageError';

const HELP = `usage: mastering analyze FILE [--json] [--timings]

Measures FILE (WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus, M4A): loudness, true peak, LRA, tonal balance, stereo,
dynamics and problems with timestamps. --json prints one JSON object (loudness: integratedLufs, loudnessRangeLu,
momentaryMaxLufs, shortTermMaxLufs, truePeakDbtp, samplePeakDbfs, plrDb); without it, a readable summary.
--timings prints wall, CPU and RSS per stage to stderr, and the whole decode + analysis.

Exit codes: 0 done, 2 bad input or usage (one line on stderr), 1 unexpected failure.
`;

export async function runAnalyzeCommand(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, timings: { type: 'boolean', default: false } } });
  } catch (error) {
    throw new UsageError((error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' '));
  }
  const [path, ...extra] = parsed.positionals;
  if (!path) throw new UsageError('missing FILE (usage: mastering analyze FILE [--json])');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`${path}: no such file`);
  if (!info.isFile()) throw new UsageError(`${path}: not a file`);
  const timings = parsed.values.timings;
  const report = (stage: string, cpuSeconds: number, wallSeconds: number) => {
    process.stderr.write(`timing ${stage}: wall ${wallSeconds.toFixed(3)} s, CPU ${cpuSeconds.toFixed(3)} s, RSS ${Math.round(process.memoryUsage.rss() / 1e6)} MB\n`);
  };
  const startCpu = processCpuSeconds();
  const startWall = performance.now();
  let analysis;
  try {
    // analyzeFile measures the file as it is decoded (untrusted input in a worker thread, MP4 through ffmpeg) and
    // names the file in errors. The total counts the decoder thread and the ffmpeg decoder alike.
    analysis = (await analyzeFile(path, timings ? { onStage: report } : {})).analysis;
    if (timings) {
      report('total', processCpuSeconds() - startCpu, (performance.now() - startWall) / 1000);
    }
  } catch (error) {
    if (error instanceof AudioFormatError) throw new UsageError(error.message.replace(/\s+/g, ' '));
    throw error;
  }
  process.stdout.write(parsed.values.json ? JSON.stringify(analysis) + '\n' : formatAnalysisSummary(analysis, path));
}
