// The track page's version stack: mixes, references and masters with their measurements, plus what a render needs
// (the master job request) and what the player needs (waveform peaks). Everything goes through the role table.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Asset } from '@/lib/generated/prisma/client';
import { deserializePeaks, peaksToWavesurferJson, type WavesurferPeaksJson } from '@/lib/audio/peaks';
import type { AnalysisResult } from '@/lib/mastering/analysis/schema';
import type { MasteringReport } from '@/lib/mastering/report/report';
import { parseSettings, SettingsError, type MasteringSettings } from '@/lib/mastering/settings';
import { requireAssetAction, requireTrackAction, type Role } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { enqueueJob } from '@/lib/server/jobs/enqueue';
import { JobNotRetryableError, retryJob } from '@/lib/server/jobs/retry';
import type { AssetSummary } from '@/lib/server/realtime/events';
import { getStorage } from '@/lib/server/storage/defaultStorage';
import { toAssetSummary } from './assets';
import { ServiceError } from './serviceError';
import { validate } from './validate';

/** The figures shown on every version row and in the meter panel. */
export interface Measurements {
  integratedLufs: number | null;
  loudnessRangeLu: number | null;
  truePeakDbtp: number | null;
  plrDb: number | null;
  /** Side-to-mid energy ratio in dB: how wide the image is (more negative = narrower). */
  sideToMidDb: number | null;
  correlation: number | null;
  shortTermMaxLufs: number | null;
}

export interface VersionProblem {
  kind: string;
  severity: 'info' | 'warning' | 'error';
  timeSeconds: number;
  endSeconds?: number;
  message: string;
}

export interface VersionView extends AssetSummary {
  label: string;
  measurements: Measurements | null;
  problems: VersionProblem[];
  /** 1/6-octave mid/side band levels in dB relative to the integrated loudness, so sources of different level overlay. */
  tonal: { centresHz: number[]; midDb: (number | null)[]; sideDb: (number | null)[] } | null;
  /** Short-term loudness (3 s window), at most ~600 points. */
  loudnessCurve: { hopSeconds: number; lufs: (number | null)[] } | null;
  /** Changes whenever the peaks file changes; part of the peaks URL so the browser may cache it forever. */
  peaksVersion: string | null;
  /** Masters: where they came from and how they were made. */
  sourceMixId: string | null;
  referenceIds: string[];
  settings: MasteringSettings | null;
  report: Pick<MasteringReport, 'summary' | 'warnings' | 'loudness'> | null;
}

export interface MasterJobView {
  jobId: string;
  state: string;
  progress: number;
  step: string | null;
  error: string | null;
  createdAt: string;
}

export interface TrackReview {
  id: string;
  projectId: string;
  projectName: string;
  title: string;
  artist: string | null;
  role: Role;
  versions: VersionView[];
  /** Master renders still running or recently failed, so a page opened mid-render shows the progress bar. */
  masterJobs: MasterJobView[];
}

const KIND_LABEL = { mix: 'Mix', reference: 'Ref', master: 'Master' } as const;
const MAX_CURVE_POINTS = 600;

function measurementsOf(analysis: AnalysisResult): Measurements {
  return {
    integratedLufs: analysis.loudness.integratedLufs,
    loudnessRangeLu: analysis.loudness.loudnessRangeLu,
    truePeakDbtp: analysis.loudness.truePeakDbtp,
    plrDb: analysis.loudness.plrDb,
    sideToMidDb: analysis.stereo.sideToMidDb,
    correlation: analysis.stereo.correlation,
    shortTermMaxLufs: analysis.loudness.shortTermMaxLufs,
  };
}

function round1(v: number | null): number | null {
  return v === null ? null : Math.round(v * 10) / 10;
}

function tonalOf(analysis: AnalysisResult): VersionView['tonal'] {
  const bands = analysis.spectrum.sixthOctave;
  const lufs = analysis.loudness.integratedLufs ?? 0;
  return {
    centresHz: bands.centresHz.map((f) => Math.round(f * 10) / 10),
    midDb: bands.midDb.map((v) => round1(v === null ? null : v - lufs)),
    sideDb: bands.sideDb.map((v) => round1(v === null ? null : v - lufs)),
  };
}

/** Decimates by taking the maximum of each group: loudness peaks matter more than troughs on an overview. */
function curveOf(analysis: AnalysisResult): VersionView['loudnessCurve'] {
  const { hopSeconds, lufs } = analysis.shortTermCurve;
  const group = Math.max(1, Math.ceil(lufs.length / MAX_CURVE_POINTS));
  const out: (number | null)[] = [];
  for (let i = 0; i < lufs.length; i += group) {
    let best: number | null = null;
    for (let j = i; j < Math.min(lufs.length, i + group); j++) {
      const v = lufs[j];
      if (v !== null && v > -70 && (best === null || v > best)) best = v;
    }
    out.push(round1(best));
  }
  return { hopSeconds: hopSeconds * group, lufs: out };
}

export function toVersionView(asset: Asset): VersionView {
  const analysis = (asset.analysis ?? null) as AnalysisResult | null;
  const report = (asset.report ?? null) as MasteringReport | null;
  return {
    ...toAssetSummary(asset),
    label: `${KIND_LABEL[asset.kind]} v${asset.version}`,
    measurements: analysis ? measurementsOf(analysis) : null,
    problems: analysis ? analysis.problems.slice(0, 50).map(({ kind, severity, timeSeconds, endSeconds, message }) => ({ kind, severity, timeSeconds, endSeconds, message })) : [],
    tonal: analysis ? tonalOf(analysis) : null,
    loudnessCurve: analysis ? curveOf(analysis) : null,
    peaksVersion: asset.peaksKey ? createHash('sha256').update(asset.peaksKey).digest('hex').slice(0, 16) : null,
    sourceMixId: asset.sourceMixId,
    referenceIds: asset.referenceIds,
    settings: (asset.settings ?? null) as MasteringSettings | null,
    report: report ? { summary: report.summary, warnings: report.warnings, loudness: report.loudness } : null,
  };
}

/** Masters newest first, then mixes newest first, then references. */
const KIND_ORDER = { master: 0, mix: 1, reference: 2 } as const;

export async function getTrackReview(userId: string, trackId: string): Promise<TrackReview> {
  const access = await requireTrackAction(userId, trackId, 'project.view');
  const prisma = getPrisma();
  const [track, jobs] = await Promise.all([
    prisma.track.findUniqueOrThrow({ where: { id: trackId }, include: { assets: true, project: { select: { name: true } } } }),
    prisma.job.findMany({
      where: { trackId, type: 'master', OR: [{ state: { in: ['queued', 'active'] } }, { state: 'failed', finishedAt: { gt: new Date(Date.now() - 3600_000) } }] },
      orderBy: { createdAt: 'desc' },
      take: 5,
    }),
  ]);
  const versions = track.assets
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.version - a.version)
    .map(toVersionView);
  return {
    id: track.id,
    projectId: track.projectId,
    projectName: track.project.name,
    title: track.title,
    artist: track.artist,
    role: access.role,
    versions,
    masterJobs: jobs.map((j) => ({ jobId: j.id, state: j.state, progress: j.progress, step: j.step, error: j.error, createdAt: j.createdAt.toISOString() })),
  };
}

const masterRequestSchema = z.object({
  mixId: z.string({ error: 'Choose a mix' }).min(1).max(64),
  referenceIds: z.array(z.string().min(1).max(64)).max(4, 'At most 4 references').default([]),
  /** Edited settings: rendered as-is. Without them settings are derived from the mix and the references. */
  settings: z.unknown().optional(),
});

export interface MasterJobInput {
  mixId: string;
  referenceIds: string[];
  settings: MasteringSettings | null;
}

/** Queues a render; the new master version appears when the job finishes (asset:created), never half-made. */
export async function requestMaster(userId: string, trackId: string, input: unknown): Promise<{ jobId: string }> {
  const { projectId } = await requireTrackAction(userId, trackId, 'master.render');
  const request = validate(masterRequestSchema, input);
  let settings: MasteringSettings | null = null;
  if (request.settings !== undefined && request.settings !== null) {
    try {
      settings = parseSettings(request.settings);
    } catch (error) {
      if (error instanceof SettingsError) throw new ServiceError(400, 'invalid_settings', error.message);
      throw error;
    }
  }
  const referenceIds = [...new Set(request.referenceIds)];
  const assets = await getPrisma().asset.findMany({ where: { id: { in: [request.mixId, ...referenceIds] }, trackId } });
  const mix = assets.find((a) => a.id === request.mixId);
  if (!mix || mix.kind !== 'mix') throw new ServiceError(400, 'invalid_input', 'The mix is not a mix of this track', { mixId: 'Not a mix of this track' });
  for (const id of referenceIds) {
    const ref = assets.find((a) => a.id === id);
    if (!ref || ref.kind !== 'reference') throw new ServiceError(400, 'invalid_input', 'A reference is not a reference of this track', { referenceIds: 'Not a reference of this track' });
  }
  for (const a of assets) {
    if (a.status !== 'ready') throw new ServiceError(409, 'not_ready', `${a.originalName} is not analysed yet (${a.status})`);
  }
  if (!settings && referenceIds.length === 0) {
    throw new ServiceError(400, 'invalid_input', 'Choose at least one reference (or edit settings) to master', { referenceIds: 'Choose a reference' });
  }
  const jobInput: MasterJobInput = { mixId: mix.id, referenceIds, settings };
  const job = await enqueueJob({ type: 'master', projectId, trackId, assetId: mix.id, input: jobInput, createdById: userId });
  return { jobId: job.id };
}

const retrySchema = z.object({ jobId: z.string().min(1).max(64) });

/** Runs a failed render again (same mix, references and settings). */
export async function retryMaster(userId: string, trackId: string, input: unknown): Promise<{ jobId: string }> {
  await requireTrackAction(userId, trackId, 'master.render');
  const { jobId } = validate(retrySchema, input);
  const job = await getPrisma().job.findUnique({ where: { id: jobId }, select: { trackId: true, type: true } });
  if (!job || job.trackId !== trackId || job.type !== 'master') throw new ServiceError(404, 'not_found', 'Render not found');
  try {
    await retryJob(jobId);
  } catch (error) {
    if (error instanceof JobNotRetryableError) throw new ServiceError(409, 'not_retryable', error.message);
    throw error;
  }
  return { jobId };
}

/** Wavesurfer peaks of an analysed asset, at the finest stored zoom that stays below `maxPixels` per channel. */
export async function getPeaksJson(userId: string, assetId: string, maxPixels = 16_000): Promise<WavesurferPeaksJson> {
  await requireAssetAction(userId, assetId, 'project.view');
  const asset = await getPrisma().asset.findUniqueOrThrow({ where: { id: assetId }, select: { peaksKey: true } });
  if (!asset.peaksKey) throw new ServiceError(404, 'not_found', 'This file has no waveform yet');
  const chunks: Buffer[] = [];
  for await (const chunk of await getStorage().createReadStream(asset.peaksKey)) chunks.push(chunk as Buffer);
  const peaks = deserializePeaks(new Uint8Array(Buffer.concat(chunks)));
  const levels = [...peaks.levels].sort((a, b) => a.samplesPerPixel - b.samplesPerPixel);
  const level = levels.find((l) => l.length <= maxPixels) ?? levels[levels.length - 1];
  return peaksToWavesurferJson(peaks, level.samplesPerPixel);
}
