/**
 * `mastering master MIX --reference REF [--reference REF2 --weight 0.3 …] --out FILE [--format …] [--sample-rate N]
 *  [--target-lufs X | --platform P] [--ceiling -1] [--amount eq=1,dynamics=1,width=1] [--match eq,dynamics,stereo]
 *  [--multiband] [--mono-below HZ] [--eq-phase linear|minimum] [--noise-shaping none|lipshitz|f-weighted]
 *  [--title T --artist A --album B --track N[/M] --isrc CC-XXX-YY-NNNNN --year Y --comment C]
 *  [--settings settings.json] [--report report.json] [--json]`
 *
 * `--weight` applies to the `--reference` given just before it. `--settings` renders an edited settings file as-is.
 * The mix decodes in a worker thread while another decodes and analyses the references (lib/mastering/match/
 * masterFiles.ts, shared with the "master" job). `--timings` prints wall, CPU and RSS per stage to stderr.
 */
import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { trackMetadataSchema, type TrackMetadataInput } from '@/lib/audio/metadata';
import { AudioFormatError } from '@/lib/audio/types';
import type { LoudnessTarget } from '@/lib/mastering/match/derive';
import type { ChainWorker } from '@/lib/mastering/chain/chainWorkerClient';
import { masterFiles } from '@/lib/mastering/match/masterFiles';
import type { masterTrack } from '@/lib/mastering/match/masterTrack';
import {
  OUTPUT_FORMATS,
  OUTPUT_SAMPLE_RATES,
  PLATFORM_TARGETS_LUFS,
  SettingsError,
  parseSettings,
  type OutputFormat,
  type Platform,
} from '@/lib/mastering/settings';
import { processCpuSeconds } from './processCpu';
import { UsageError } from './usageError';
import { writeChunks } from './writeChunks';

const USAGE =
  'usage: mastering master MIX --reference REF [--weight W] [--reference REF2 --weight W2 …] --out FILE [--format wav24|wav16|flac24|flac16|mp3-320|mp3-v0] [--sample-rate 44100|48000|88200|96000] [--target-lufs X | --platform spotify|apple|youtube|tidal|amazon|club] [--ceiling -1] [--amount eq=1,dynamics=1,width=1] [--match eq,dynamics,stereo] [--multiband] [--mono-below HZ] [--eq-phase linear|minimum] [--noise-shaping none|lipshitz|f-weighted] [--title T --artist A --album B --track N[/M] --isrc ISRC --year Y --comment C] [--settings FILE] [--report FILE] [--json] [--timings]';

function parseNumber(name: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${name}: "${text}" is not a number`);
  if (v < min || v > max) throw new UsageError(`${name}: ${v} is outside ${min}..${max}`);
  return v;
}

/** References with their weights, in command-line order (--weight binds to the preceding --reference). */
function referencesFrom(tokens: { kind: string; name?: string; value?: string }[]): { path: string; weight: number }[] {
  const refs: { path: string; weight: number }[] = [];
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    if (t.name === 'reference') refs.push({ path: t.value!, weight: 1 });
    if (t.name === 'weight') {
      if (refs.length === 0) throw new UsageError('--weight must follow a --reference');
      refs[refs.length - 1].weight = parseNumber('--weight', t.value!, 0, 1000);
    }
  }
  return refs;
}

export function parseAmounts(text: string): { eq?: number; dynamics?: number; width?: number } {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [key, value] = part.split('=');
    if (!['eq', 'dynamics', 'width'].includes(key) || value === undefined) throw new UsageError(`--amount: expected eq=,dynamics=,width= (0..1 or 0..100%), got "${part}"`);
    const percent = value.endsWith('%');
    const v = parseNumber(`--amount ${key}`, percent ? value.slice(0, -1) : value, 0, percent ? 100 : 1);
    out[key] = percent ? v / 100 : v;
  }
  return out;
}

/**
 * `--ceiling -1`, `--target-lufs -14`: node's parseArgs reads a value that starts with a dash as a missing value
 * ("argument is ambiguous"), yet loudness figures are negative. Glue a negative number to its option as `--opt=-1`.
 */
export function joinNegativeValues(args: string[], valueOptions: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : null;
    const next = args[i + 1];
    if (name !== null && valueOptions.includes(name) && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
}

const NUMERIC_OPTIONS = ['weight', 'sample-rate', 'target-lufs', 'ceiling', 'mono-below'];

const HELP = `usage: mastering master MIX --reference REF [--weight W] [--reference REF2 --weight W2 ...] --out FILE [options]

Derives a mastering chain that makes MIX sit like the reference(s), renders it and writes FILE.

  --reference FILE       a reference track; repeat for several
  --weight W             weight of the --reference just before it (default 1)
  --out FILE             the master to write
  --format F             wav24 (default), wav16, flac24, flac16, mp3-320, mp3-v0
  --sample-rate N        44100, 48000, 88200 or 96000 (default: the mix's rate when it is one of these)
  --target-lufs X        integrated loudness target (default: the references' loudness)
  --platform P           spotify (-14), apple (-16), youtube (-14), tidal (-14), amazon (-14), club (-8)
  --ceiling DBTP         true-peak ceiling, -12..0 (default -1)
  --amount eq=A,dynamics=A,width=A   how much of each match to apply, 0..1 or 0..100% (default 1)
  --match eq,dynamics,stereo         match only these aspects (default all)
  --multiband            3-band compressor instead of the broadband one
  --mono-below HZ        mono below this frequency (20..500)
  --eq-phase P           linear (default) or minimum phase EQ
  --noise-shaping S      dither noise shaping for 16-bit output: none (default), lipshitz, f-weighted
  --title T, --artist A, --album B, --track N or N/M, --isrc CC-XXX-YY-NNNNN, --year Y, --comment C
                         tags written into the file (INFO/bext/iXML, Vorbis comments, ID3v2 with TSRC)
  --settings FILE        render an edited settings file as-is (no derivation; --format, --sample-rate, the tags and
                         --noise-shaping override it)
  --report FILE          write settings and the report ("what changed and why") as JSON
  --json                 print settings, report and result.loudness as one JSON object
  --timings              wall/CPU/RSS per stage on stderr

Exit codes: 0 done, 2 bad input or usage (one line on stderr), 1 unexpected failure.
`;

/** Tags from the command line, validated like tags from any other source; undefined when none is given. */
function metadataFrom(v: Record<string, string | boolean | string[] | undefined>): TrackMetadataInput | undefined {
  const text = (name: string) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  const raw: Record<string, unknown> = { title: text('title'), artist: text('artist'), album: text('album'), isrc: text('isrc'), comment: text('comment') };
  if (text('year') !== undefined) raw.year = parseNumber('--year', text('year')!, 1000, 9999);
  const track = text('track');
  if (track !== undefined) {
    const m = /^(\d+)(?:\/(\d+))?$/.exec(track.trim());
    if (!m) throw new UsageError(`--track: expected N or N/M, got "${track}"`);
    raw.trackNumber = Number(m[1]);
    if (m[2]) raw.trackTotal = Number(m[2]);
  }
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  if (Object.keys(raw).length === 0) return undefined;
  const parsed = trackMetadataSchema.omit({ loudness: true }).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--${issue.path[0] === 'trackNumber' || issue.path[0] === 'trackTotal' ? 'track' : String(issue.path[0])}: ${issue.message}`);
  }
  return raw as TrackMetadataInput;
}

export async function runMasterCommand(args: string[], prepared: { worker?: ChainWorker } = {}): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, NUMERIC_OPTIONS),
      allowPositionals: true,
      tokens: true,
      options: {
        reference: { type: 'string', multiple: true },
        weight: { type: 'string', multiple: true },
        out: { type: 'string' },
        format: { type: 'string' },
        'sample-rate': { type: 'string' },
        'target-lufs': { type: 'string' },
        platform: { type: 'string' },
        ceiling: { type: 'string' },
        amount: { type: 'string' },
        match: { type: 'string' },
        multiband: { type: 'boolean', default: false },
        'mono-below': { type: 'string' },
        'eq-phase': { type: 'string' },
        'noise-shaping': { type: 'string' },
        title: { type: 'string' },
        artist: { type: 'string' },
        album: { type: 'string' },
        track: { type: 'string' },
        isrc: { type: 'string' },
        year: { type: 'string' },
        comment: { type: 'string' },
        settings: { type: 'string' },
        report: { type: 'string' },
        json: { type: 'boolean', default: false },
        timings: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' '));
  }
  const v = parsed.values;
  const [mixPath, ...extra] = parsed.positionals;
  if (!mixPath) throw new UsageError(`missing MIX (${USAGE})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!v.out) throw new UsageError('missing --out FILE');
  // Fail before minutes of rendering, not when writing the result.
  for (const [flag, path] of [['--out', v.out], ['--report', v.report]] as const) {
    if (path === undefined) continue;
    const dir = dirname(resolve(path));
    const ok = await access(dir, constants.W_OK).then(() => true, () => false);
    if (!ok) throw new UsageError(`${flag} ${path}: the directory ${dir} does not exist or is not writable`);
    if ((await stat(path).catch(() => null))?.isDirectory()) throw new UsageError(`${flag} ${path} is a directory`);
  }
  const references = referencesFrom(parsed.tokens as { kind: string; name?: string; value?: string }[]);
  if (references.length === 0 && !v.settings) throw new UsageError('need at least one --reference (or --settings)');
  if (v.format !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(v.format)) {
    throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  let sampleRate: (typeof OUTPUT_SAMPLE_RATES)[number] | undefined;
  if (v['sample-rate'] !== undefined) {
    const rate = Number(v['sample-rate']);
    if (!(OUTPUT_SAMPLE_RATES as readonly number[]).includes(rate)) throw new UsageError(`--sample-rate must be one of ${OUTPUT_SAMPLE_RATES.join(', ')}`);
    sampleRate = rate as (typeof OUTPUT_SAMPLE_RATES)[number];
  }
  const format = v.format as OutputFormat | undefined;
  if (format?.startsWith('mp3') && sampleRate !== undefined && sampleRate > 48000) throw new UsageError('MP3 exists only at 44.1 or 48 kHz');
  if (v['target-lufs'] !== undefined && v.platform !== undefined) throw new UsageError('--target-lufs and --platform exclude each other');
  let target: LoudnessTarget | undefined;
  if (v['target-lufs'] !== undefined) target = { kind: 'custom', lufs: parseNumber('--target-lufs', v['target-lufs'], -40, 0) };
  if (v.platform !== undefined) {
    if (!(v.platform in PLATFORM_TARGETS_LUFS)) throw new UsageError(`--platform must be one of ${Object.keys(PLATFORM_TARGETS_LUFS).join(', ')}`);
    target = { kind: 'platform', platform: v.platform as Platform };
  }
  const ceilingDbtp = v.ceiling !== undefined ? parseNumber('--ceiling', v.ceiling, -12, 0) : undefined;
  const amounts = v.amount !== undefined ? parseAmounts(v.amount) : undefined;
  let match: { eq: boolean; dynamics: boolean; stereo: boolean } | undefined;
  if (v.match !== undefined) {
    const parts = v.match.split(',').map((s) => s.trim());
    for (const p of parts) if (!['eq', 'dynamics', 'stereo'].includes(p)) throw new UsageError(`--match: unknown aspect "${p}" (eq, dynamics, stereo)`);
    match = { eq: parts.includes('eq'), dynamics: parts.includes('dynamics'), stereo: parts.includes('stereo') };
  }
  const monoBelowHz = v['mono-below'] !== undefined ? parseNumber('--mono-below', v['mono-below'], 20, 500) : undefined;
  if (v['eq-phase'] !== undefined && !['linear', 'minimum'].includes(v['eq-phase'])) throw new UsageError('--eq-phase must be linear or minimum');
  const eqPhase = v['eq-phase'] as 'linear' | 'minimum' | undefined;
  const shapes = ['none', 'lipshitz', 'f-weighted'] as const;
  if (v['noise-shaping'] !== undefined && !(shapes as readonly string[]).includes(v['noise-shaping'])) throw new UsageError(`--noise-shaping must be one of ${shapes.join(', ')}`);
  const noiseShaping = v['noise-shaping'] as (typeof shapes)[number] | undefined;
  const metadata = metadataFrom(v);
  let settings;
  if (v.settings) {
    // The file is rendered as-is: options that would only steer a derivation would be silently ignored.
    const deriveOnly = (['target-lufs', 'platform', 'ceiling', 'amount', 'match', 'mono-below'] as const).filter((name) => v[name] !== undefined);
    if (v.multiband) deriveOnly.push('multiband' as never);
    if (deriveOnly.length > 0) {
      throw new UsageError(`--${deriveOnly[0]} has no effect with --settings, which renders the file as-is: edit the file instead (only --format and --sample-rate override it)`);
    }
    let text: string;
    try {
      text = await readFile(v.settings, 'utf8');
    } catch {
      throw new UsageError(`${v.settings}: cannot read settings file`);
    }
    try {
      settings = parseSettings(JSON.parse(text));
    } catch (error) {
      if (error instanceof SettingsError || error instanceof SyntaxError) throw new UsageError(`${v.settings}: ${error.message.replace(/\s+/g, ' ')}`);
      throw error;
    }
    if (v['eq-phase'] !== undefined) throw new UsageError('--eq-phase has no effect with --settings, which renders the file as-is: set eq.phase in the file');
    if (format) settings.output.format = format;
    if (sampleRate) settings.output.sampleRate = sampleRate;
    if (noiseShaping) settings.output.noiseShaping = noiseShaping;
    if (metadata) settings.output.metadata = { ...settings.output.metadata, ...metadata };
    // The overrides must make a valid file too (an MP3 file's settings plus --sample-rate 96000 would otherwise only
    // fail in the encoder, after the render).
    try {
      settings = parseSettings(settings);
    } catch (error) {
      if (error instanceof SettingsError) throw new UsageError(`${v.settings} with --format/--sample-rate: ${error.message}`);
      throw error;
    }
  }

  const started = performance.now();
  const startCpu = processCpuSeconds();
  let lastWall = started;
  let lastCpu = startCpu;
  const timing = (stage: string, wallSeconds: number, cpuSeconds: number) => {
    if (v.timings) process.stderr.write(`timing ${stage}: wall ${wallSeconds.toFixed(2)} s, CPU ${cpuSeconds.toFixed(2)} s, RSS ${Math.round(process.memoryUsage.rss() / 1e6)} MB\n`);
  };
  const mark = (stage: string) => {
    const now = performance.now();
    const cpu = processCpuSeconds();
    timing(stage, (now - lastWall) / 1000, cpu - lastCpu);
    lastWall = now;
    lastCpu = cpu;
  };
  const asUsageError = (error: unknown): never => {
    if (error instanceof AudioFormatError) throw new UsageError(error.message.replace(/\s+/g, ' '));
    throw error;
  };
  try {
    const progressToStderr = !v.json && !v.timings && process.stderr.isTTY;
    const result = await masterFiles({
      mixPath,
      worker: prepared.worker,
      references: references.map((r) => ({ path: r.path, weight: r.weight })),
      settings,
      options: {
        target,
        ceilingDbtp,
        amounts,
        match,
        ...(v.multiband ? { multiband: true } : {}),
        ...(monoBelowHz !== undefined ? { monoBelowHz } : {}),
        eqPhase,
        output: { ...(format ? { format } : {}), ...(sampleRate ? { sampleRate } : {}), ...(noiseShaping ? { noiseShaping } : {}), ...(metadata ? { metadata } : {}) },
        onStage: (stage, wallSeconds, cpuSeconds) => timing(stage, wallSeconds, cpuSeconds),
      },
      onDecoded: () => mark('decode mix (references decode+analyse on their own thread meanwhile)'),
      onProgress: progressToStderr ? (p) => process.stderr.write(`\r${p.step.padEnd(8)} ${Math.round(p.fraction * 100)} %`) : undefined,
    });
    lastWall = performance.now();
    lastCpu = processCpuSeconds();
    await finish(result, progressToStderr, v.out);
    mark('write');
    timing('total', (performance.now() - started) / 1000, processCpuSeconds() - startCpu);
  } catch (error) {
    asUsageError(error);
  }

  async function finish(result: Awaited<ReturnType<typeof masterTrack>>, progressToStderr: boolean, out: string) {
    if (progressToStderr) process.stderr.write('\r' + ' '.repeat(20) + '\r');
    if (result.encoded) writeChunks(out, result.encoded.chunks);
    if (v.report) await writeFile(v.report, JSON.stringify({ settings: result.settings, report: result.report }, null, 2) + '\n');
    if (v.json) {
      process.stdout.write(JSON.stringify({ settings: result.settings, report: result.report, result: { loudness: result.report.after.loudness, file: out } }) + '\n');
    } else {
      const r = result.report;
      process.stdout.write([`${out}`, ...r.summary.map((s) => `  ${s}`), ...r.warnings.map((w) => `  warning: ${w}`)].join('\n') + '\n');
    }
  }
}
