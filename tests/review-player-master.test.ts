// The master pipeline behind the track page, against the real server, database, queue and worker: uploads are
// analysed (measurements + peaks), an engineer's render creates a new master version with settings, report and
// analysis, a failed render leaves nothing behind and can be retried, edited settings render as given, and only
// engineers may render.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { getPrisma } from '../lib/server/db/client';
import { getStorage } from '../lib/server/storage/defaultStorage';
import { jobHandlers } from '../workers/handlers';
import { startWorker, type WorkerHandle } from '../workers/runner';
import { review, synthWav, waitForReview } from './helpers/reviewFixtures';
import { startTestServer, type TestServer } from './helpers/testServer';
import { call, signUp, tusUpload, type WebUser } from './helpers/webClient';

let t: TestServer;
let worker: WorkerHandle;
const users = {} as Record<'engineer' | 'viewer' | 'outsider', WebUser>;
let projectId: string;
let trackId: string;
let mixId: string;
let refId: string;

async function jobDone(jobId: string) {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const job = await getPrisma().job.findUniqueOrThrow({ where: { id: jobId } });
    if (job.state === 'completed' || job.state === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job still ${job.state} (${job.step})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function storedAssetFolders(): string[] {
  const dir = path.join(t.dataDir, 'storage', 'assets');
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

before(async () => {
  // A storage failure is not permanent, so without this the runner would retry it on its own before we look.
  Object.assign(process.env, { JOB_RETRY_LIMIT: '0', JOB_RETRY_DELAY_SECONDS: '0' });
  t = await startTestServer();
  worker = await startWorker(jobHandlers);
  users.engineer = await signUp(t.baseUrl, 'eng@example.com', 'Erin Engineer');
  users.viewer = await signUp(t.baseUrl, 'view@example.com', 'Vic Viewer');
  users.outsider = await signUp(t.baseUrl, 'out@example.com', 'Oscar Outsider');
  projectId = (await call(t.baseUrl, users.engineer, 'POST', '/api/projects', { name: 'Review' })).json.id;
  await call(t.baseUrl, users.engineer, 'POST', `/api/projects/${projectId}/members`, { email: users.viewer.email, role: 'viewer' });
  trackId = (await call(t.baseUrl, users.engineer, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Night Swim' })).json.id;
  mixId = (await tusUpload(t.baseUrl, users.engineer, synthWav(10, { seed: 3, gain: 0.35 }), { trackId, kind: 'mix', filename: 'mix.wav' })).assetId!;
  refId = (await tusUpload(t.baseUrl, users.engineer, synthWav(10, { seed: 9, gain: 1.1 }), { trackId, kind: 'reference', filename: 'ref.wav' })).assetId!;
  assert.ok(mixId && refId);
});

after(async () => {
  await worker?.stop();
  await t?.stop();
});

test('uploads are analysed: measurements, tonal balance, loudness curve and waveform peaks', async () => {
  const r = await waitForReview(t.baseUrl, users.viewer, trackId, (x) => x.versions.length === 2 && x.versions.every((v) => v.status === 'ready' && v.measurements));
  const mix = r.versions.find((v) => v.id === mixId)!;
  const ref = r.versions.find((v) => v.id === refId)!;
  assert.equal(mix.label, 'Mix v1');
  assert.equal(ref.label, 'Ref v1');
  assert.ok(mix.measurements!.integratedLufs! < ref.measurements!.integratedLufs! - 6, 'the mix is quieter than the reference');
  for (const key of ['integratedLufs', 'loudnessRangeLu', 'truePeakDbtp', 'plrDb', 'sideToMidDb']) assert.equal(typeof mix.measurements![key], 'number', key);
  assert.ok(mix.tonal.centresHz.length > 50, '1/6-octave bands');
  assert.ok(mix.loudnessCurve.lufs.length > 10);
  const peaks = await call(t.baseUrl, users.viewer, 'GET', `/api/assets/${mixId}/peaks?v=${mix.peaksVersion}`);
  assert.equal(peaks.status, 200);
  assert.match(peaks.headers.get('cache-control') ?? '', /immutable/);
  assert.equal(peaks.json.peaks.length, 2);
  assert.ok(Math.abs(peaks.json.duration - 10) < 0.01);
  assert.ok(peaks.json.peaks[0].length > 100);
});

test('only engineers render: viewer 403, outsider 404', async () => {
  const body = { mixId, referenceIds: [refId] };
  const viewer = await call(t.baseUrl, users.viewer, 'POST', `/api/tracks/${trackId}/masters`, body);
  assert.equal(viewer.status, 403);
  assert.match(viewer.json.error, /engineer/);
  assert.equal((await call(t.baseUrl, users.outsider, 'POST', `/api/tracks/${trackId}/masters`, body)).status, 404);
  const noRef = await call(t.baseUrl, users.engineer, 'POST', `/api/tracks/${trackId}/masters`, { mixId, referenceIds: [] });
  assert.equal(noRef.status, 400);
  const wrongKind = await call(t.baseUrl, users.engineer, 'POST', `/api/tracks/${trackId}/masters`, { mixId: refId, referenceIds: [refId] });
  assert.equal(wrongKind.status, 400);
});

test('master job creates a new version with settings, report, analysis and peaks, linked to its sources', async () => {
  const res = await call(t.baseUrl, users.engineer, 'POST', `/api/tracks/${trackId}/masters`, { mixId, referenceIds: [refId] });
  assert.equal(res.status, 202, res.text);
  const job = await jobDone(res.json.jobId);
  assert.equal(job.state, 'completed', job.error ?? '');
  const r = await review(t.baseUrl, users.viewer, trackId);
  const master = r.versions.find((v) => v.kind === 'master')!;
  assert.equal(master.label, 'Master v1');
  assert.equal(master.status, 'ready');
  assert.equal(master.sourceMixId, mixId);
  assert.deepEqual(master.referenceIds, [refId]);
  assert.equal(master.settings.version, 1);
  assert.ok(master.report.summary.length > 0);
  const ref = r.versions.find((v) => v.id === refId)!;
  const m = master.measurements!;
  assert.ok(Math.abs(m.integratedLufs! - ref.measurements!.integratedLufs!) < 1.5, `master ${m.integratedLufs} LUFS vs reference ${ref.measurements!.integratedLufs}`);
  assert.ok(m.truePeakDbtp! <= master.settings.loudness.ceilingDbtp + 0.1, `true peak ${m.truePeakDbtp}`);
  const peaks = await call(t.baseUrl, users.viewer, 'GET', `/api/assets/${master.id}/peaks`);
  assert.equal(peaks.status, 200);
  const file = await fetch(`${t.baseUrl}/api/assets/${master.id}/file`, { headers: { Cookie: users.viewer.cookie, Range: 'bytes=0-11' } });
  assert.equal(file.status, 206);
  assert.equal(Buffer.from(await file.arrayBuffer()).subarray(8, 12).toString(), 'WAVE');
});

test('a failed render leaves no asset and no stored file behind, and can be retried', async () => {
  const ref = await getPrisma().asset.findUniqueOrThrow({ where: { id: refId } });
  const chunks: Buffer[] = [];
  for await (const c of await getStorage().createReadStream(ref.storageKey)) chunks.push(c as Buffer);
  const foldersBefore = storedAssetFolders();
  await getStorage().delete(ref.storageKey);
  const res = await call(t.baseUrl, users.engineer, 'POST', `/api/tracks/${trackId}/masters`, { mixId, referenceIds: [refId] });
  assert.equal(res.status, 202);
  const failed = await jobDone(res.json.jobId);
  assert.equal(failed.state, 'failed');
  assert.equal(await getPrisma().asset.count({ where: { trackId, kind: 'master' } }), 1, 'no half version');
  assert.deepEqual(storedAssetFolders().filter((f) => f !== refId), foldersBefore.filter((f) => f !== refId), 'no stray files');
  const shown = await review(t.baseUrl, users.viewer, trackId);
  assert.equal(shown.masterJobs[0].state, 'failed', 'the page can show the failure');

  await getStorage().putStream(ref.storageKey, Readable.from([Buffer.concat(chunks)]));
  const viewerRetry = await call(t.baseUrl, users.viewer, 'POST', `/api/tracks/${trackId}/masters/retry`, { jobId: res.json.jobId });
  assert.equal(viewerRetry.status, 403);
  const retry = await call(t.baseUrl, users.engineer, 'POST', `/api/tracks/${trackId}/masters/retry`, { jobId: res.json.jobId });
  assert.equal(retry.status, 202, retry.text);
  const done = await jobDone(res.json.jobId);
  assert.equal(done.state, 'completed', done.error ?? '');
  const masters = await getPrisma().asset.findMany({ where: { trackId, kind: 'master' }, orderBy: { version: 'asc' } });
  assert.deepEqual(masters.map((a) => a.version), [1, 2]);
});

test('edited settings render as given into the next version', async () => {
  const r = await review(t.baseUrl, users.engineer, trackId);
  const v1 = r.versions.find((v) => v.kind === 'master' && v.version === 1)!;
  const settings = structuredClone(v1.settings);
  // A hand-set output gain: 'manual' loudness renders drive and gain as given ('target' would find its own).
  settings.loudness.outputGainDb -= 3;
  settings.loudness.mode = 'manual';
  const bad = await call(t.baseUrl, users.engineer, 'POST', `/api/tracks/${trackId}/masters`, { mixId, referenceIds: [], settings: { ...settings, version: 99 } });
  assert.equal(bad.status, 400);
  const res = await call(t.baseUrl, users.engineer, 'POST', `/api/tracks/${trackId}/masters`, { mixId, referenceIds: [], settings });
  assert.equal(res.status, 202, res.text);
  const job = await jobDone(res.json.jobId);
  assert.equal(job.state, 'completed', job.error ?? '');
  const after = await review(t.baseUrl, users.engineer, trackId);
  const v3 = after.versions.find((v) => v.kind === 'master' && v.version === 3)!;
  assert.equal(v3.settings.loudness.outputGainDb, settings.loudness.outputGainDb);
  const drop = v1.measurements!.integratedLufs! - v3.measurements!.integratedLufs!;
  assert.ok(Math.abs(drop - 3) < 0.3, `3 dB less output gain measures ${drop.toFixed(2)} LU quieter`);
});

test('export job renders delivery files of a master version with the track tags', async () => {
  await getPrisma().track.update({ where: { id: trackId }, data: { artist: 'The Testers', isrc: 'US-S1Z-99-00001' } });
  const master = await getPrisma().asset.findFirstOrThrow({ where: { trackId, kind: 'master', version: 1 } });
  const formats = [
    { format: 'wav16', sampleRate: 44100 },
    { format: 'wav24', sampleRate: master.sampleRate! },
    { format: 'flac24', sampleRate: master.sampleRate! },
    { format: 'mp3-320', sampleRate: 44100 },
  ];
  const rows = [];
  for (const f of formats) rows.push(await getPrisma().export.create({ data: { assetId: master.id, ...f } }));
  const { enqueueJob } = await import('../lib/server/jobs/enqueue');
  const job = await enqueueJob({ type: 'export', projectId, trackId, assetId: master.id, input: { exportIds: rows.map((r) => r.id) } });
  const done = await jobDone(job.id);
  assert.equal(done.state, 'completed', done.error ?? '');
  const { decodeAudio } = await import('../lib/audio/decode/decode');
  for (const row of rows) {
    const e = await getPrisma().export.findUniqueOrThrow({ where: { id: row.id } });
    assert.equal(e.status, 'completed', `${e.format}: ${e.error}`);
    const chunks: Buffer[] = [];
    for await (const c of await getStorage().createReadStream(e.storageKey!)) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    assert.equal(BigInt(bytes.length), e.byteSize);
    const decoded = await decodeAudio(new Uint8Array(bytes));
    assert.equal(decoded.sampleRate, row.sampleRate, e.format);
    assert.ok(Math.abs(decoded.channels[0].length / decoded.sampleRate - 10) < 0.01, `${e.format} length`);
    if (e.format === 'wav16') assert.equal(decoded.format.bitsPerSample, 16);
    if (e.format === 'mp3-320') assert.ok(bytes.includes(Buffer.from('US')) && bytes.includes(Buffer.from('TSRC')), 'ISRC tag');
  }
});
