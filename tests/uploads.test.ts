// Uploads through the real server: good files become versioned assets; every kind of bad input gets a clear 4xx and
// leaves no asset row, no stored object and no partial upload behind.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from './helpers/testServer';
import { call, makeWav, signUp, tusUpload, tusMetadata, type WebUser } from './helpers/webClient';

const EXPIRY_MS = 4000;
let t: TestServer;
let owner: WebUser;
let trackId: string;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string) {
    for (const entry of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out.push(path.relative(dir, p));
    }
  }
  await walk(dir);
  return out.sort();
}

async function assetCount(): Promise<number> {
  const { getPrisma } = await import('../lib/server/db/client');
  return getPrisma().asset.count();
}

/** Rejections must leave the upload area and storage exactly as they were. */
async function assertNothingLeftBehind(before: { assets: number; stored: string[] }) {
  assert.equal(await assetCount(), before.assets, 'no asset row was created');
  assert.deepEqual(await listFiles(path.join(t.dataDir, 'storage')), before.stored, 'no object was stored');
  assert.deepEqual(await listFiles(path.join(t.dataDir, 'uploads')), [], 'no partial upload is left');
}

async function snapshot() {
  return { assets: await assetCount(), stored: await listFiles(path.join(t.dataDir, 'storage')) };
}

before(async () => {
  t = await startTestServer({ uploads: { expiryMs: EXPIRY_MS } });
  owner = await signUp(t.baseUrl, 'owner@example.com', 'Olivia Owner');
  const project = await call(t.baseUrl, owner, 'POST', '/api/projects', { name: 'Uploads' });
  const track = await call(t.baseUrl, owner, 'POST', `/api/projects/${project.json.id}/tracks`, { title: 'Song' });
  trackId = track.json.id;
});

after(async () => {
  await t?.stop();
});

describe('a good upload', () => {
  test('becomes mix v1 then v2 with facts, checksum, read-only original and ranged download', async () => {
    const wav = makeWav(0.5);
    const first = await tusUpload(t.baseUrl, owner, wav, { trackId, kind: 'mix', filename: 'song mix.wav' });
    assert.equal(first.createStatus, 201, first.createText);
    assert.equal(first.patchStatus, 204, first.patchText);
    assert.ok(first.assetId);
    const second = await tusUpload(t.baseUrl, owner, wav, { trackId, kind: 'mix', filename: 'song mix 2.wav' });
    const asset = await call(t.baseUrl, owner, 'GET', `/api/assets/${first.assetId}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.json.version, 1);
    assert.equal(asset.json.container, 'wav');
    assert.equal(asset.json.sampleRate, 44100);
    assert.equal(asset.json.channels, 2);
    assert.equal(asset.json.sha256, createHash('sha256').update(wav).digest('hex'));
    assert.equal((await call(t.baseUrl, owner, 'GET', `/api/assets/${second.assetId}`)).json.version, 2);

    const { getPrisma } = await import('../lib/server/db/client');
    const row = await getPrisma().asset.findUniqueOrThrow({ where: { id: first.assetId! } });
    assert.match(row.storageKey, /^assets\/[a-z0-9]+\/original\.wav$/);
    const stat = await fs.stat(path.join(t.dataDir, 'storage', row.storageKey));
    assert.equal(stat.mode & 0o222, 0, 'original is read-only');
    const jobs = await getPrisma().job.findMany({ where: { assetId: first.assetId! } });
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].type, 'analyze');

    const ranged = await fetch(`${t.baseUrl}/api/assets/${first.assetId}/file`, { headers: { Cookie: owner.cookie, Range: 'bytes=0-11' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-range'), `bytes 0-11/${wav.length}`);
    assert.equal(Buffer.from(await ranged.arrayBuffer()).toString('latin1', 0, 4), 'RIFF');
    const whole = await fetch(`${t.baseUrl}/api/assets/${first.assetId}/file`, { headers: { Cookie: owner.cookie } });
    assert.equal(whole.status, 200);
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), Buffer.from(wav));
    assert.deepEqual(await listFiles(path.join(t.dataDir, 'uploads')), [], 'finished uploads leave nothing in the upload area');
  });
});

describe('bad input', () => {
  test('a text file renamed .wav is refused with 415 and a reason', async () => {
    const before = await snapshot();
    const text = Buffer.from('This is not audio, just some notes about the mix.\n'.repeat(2000));
    const r = await tusUpload(t.baseUrl, owner, text, { trackId, kind: 'mix', filename: 'notes.wav' });
    assert.equal(r.createStatus, 201);
    assert.equal(r.patchStatus, 415);
    assert.match(r.patchText!, /not an audio file|not.*audio/i);
    await assertNothingLeftBehind(before);
  });

  test('a WAV whose data stops before its declared end (cut-off file) is refused as truncated', async () => {
    const before = await snapshot();
    const wav = makeWav(1);
    const r = await tusUpload(t.baseUrl, owner, wav.subarray(0, 100_000), { trackId, kind: 'mix', filename: 'cut-off.wav' });
    assert.equal(r.createStatus, 201);
    assert.equal(r.patchStatus, 415);
    assert.match(r.patchText!, /truncated WAV/);
    await assertNothingLeftBehind(before);
  });

  test('a non-audio file sent in chunks is refused at the next chunk, before the rest is stored', async () => {
    const before = await snapshot();
    const text = Buffer.from('Lyrics, second verse, take 3.\n'.repeat(40_000));
    const r = await tusUpload(t.baseUrl, owner, text, { trackId, kind: 'reference', filename: 'lyrics.wav' }, { sendBytes: 100_000 });
    assert.equal(r.patchStatus, 204, 'the first chunk is accepted: the head is only judged once it is there');
    const next = await fetch(`${t.baseUrl}${r.location}`, {
      method: 'PATCH',
      headers: { Cookie: owner.cookie, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '100000', 'Content-Type': 'application/offset+octet-stream' },
      body: text.subarray(100_000, 200_000),
    });
    assert.equal(next.status, 415);
    assert.match(await next.text(), /not an audio file: looks like a text file/);
    await assertNothingLeftBehind(before);
  });

  test('a zero-byte file is refused at creation', async () => {
    const before = await snapshot();
    const r = await tusUpload(t.baseUrl, owner, new Uint8Array(0), { trackId, kind: 'mix', filename: 'empty.wav' });
    assert.equal(r.createStatus, 400);
    assert.match(r.createText, /empty/i);
    await assertNothingLeftBehind(before);
  });

  test('file names that look like paths are refused', async () => {
    const before = await snapshot();
    for (const filename of ['../../etc/passwd', 'mixes/song.wav', '..\\..\\boot.ini', '..', 'a\u0000b.wav']) {
      const r = await tusUpload(t.baseUrl, owner, makeWav(0.1), { trackId, kind: 'mix', filename });
      assert.equal(r.createStatus, 400, `${JSON.stringify(filename)}: ${r.createText}`);
      assert.ok(r.createText.trim().length > 0, 'the refusal says why');
    }
    const r = await tusUpload(t.baseUrl, owner, makeWav(0.1), { trackId: '../../etc', kind: 'mix', filename: 'x.wav' });
    assert.equal(r.createStatus, 404);
    await assertNothingLeftBehind(before);
  });

  test('oversize text fields are refused', async () => {
    const before = await snapshot();
    const longName = await tusUpload(t.baseUrl, owner, makeWav(0.1), { trackId, kind: 'mix', filename: 'x'.repeat(300) + '.wav' });
    assert.equal(longName.createStatus, 400);
    assert.match(longName.createText, /longer than 255/);
    const huge = await tusUpload(t.baseUrl, owner, makeWav(0.1), { trackId, kind: 'mix', filename: 'a.wav', filetype: 'y'.repeat(3000) });
    assert.equal(huge.createStatus, 400);
    assert.match(huge.createText, /metadata/i);
    const badKind = await tusUpload(t.baseUrl, owner, makeWav(0.1), { trackId, kind: 'master', filename: 'a.wav' });
    assert.equal(badKind.createStatus, 400);
    await assertNothingLeftBehind(before);

    const name = await call(t.baseUrl, owner, 'POST', '/api/projects', { name: 'n'.repeat(10_000) });
    assert.equal(name.status, 400);
    assert.match(name.json.error, /at most 120/);
    const bigBody = await call(t.baseUrl, owner, 'POST', '/api/projects', JSON.stringify({ name: 'x', pad: 'p'.repeat(100_000) }));
    assert.equal(bigBody.status, 413);
    const title = await call(t.baseUrl, owner, 'POST', `/api/tracks/${trackId}`.replace('/tracks/', '/projects/x/tracks/'), { title: 't' });
    assert.equal(title.status, 404);
  });

  test('sign-up validates its fields and refuses a taken email with 409', async () => {
    const bad = await call(t.baseUrl, null, 'POST', '/api/signup', { email: 'not-an-email', password: 'short', name: '' });
    assert.equal(bad.status, 400);
    assert.ok(bad.json.fields.email && bad.json.fields.password && bad.json.fields.name);
    const long = await call(t.baseUrl, null, 'POST', '/api/signup', { email: 'a@b.co', password: 'long enough pw', name: 'n'.repeat(81) });
    assert.equal(long.status, 400);
    const dup = await call(t.baseUrl, null, 'POST', '/api/signup', { email: 'OWNER@example.com', password: 'another password', name: 'X' });
    assert.equal(dup.status, 409);
    assert.match(dup.json.error, /already exists/);
  });

  test('a truncated upload never becomes an asset and its partial is swept after expiry', async () => {
    const before = await snapshot();
    const wav = makeWav(1);
    const r = await tusUpload(t.baseUrl, owner, wav, { trackId, kind: 'mix', filename: 'cut.wav' }, { sendBytes: 40_000 });
    assert.equal(r.patchStatus, 204);
    const head = await fetch(`${t.baseUrl}${r.location}`, { method: 'HEAD', headers: { Cookie: owner.cookie, 'Tus-Resumable': '1.0.0' } });
    assert.equal(head.headers.get('upload-offset'), '40000');
    assert.equal(head.headers.get('upload-length'), String(wav.length));
    assert.equal(await assetCount(), before.assets, 'an unfinished upload is not an asset');
    await sleep(EXPIRY_MS + 500);
    assert.ok((await t.server.uploads.sweepExpired()) >= 1);
    await assertNothingLeftBehind(before);
    const resumed = await fetch(`${t.baseUrl}${r.location}`, {
      method: 'PATCH',
      headers: { Cookie: owner.cookie, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '40000', 'Content-Type': 'application/offset+octet-stream' },
      body: Buffer.from(wav.subarray(40_000)),
    });
    assert.ok(resumed.status === 404 || resumed.status === 410, `expired upload cannot be resumed (${resumed.status})`);
  });

  test('uploads resume at the server offset after a dropped connection', async () => {
    const wav = makeWav(1);
    const r = await tusUpload(t.baseUrl, owner, wav, { trackId, kind: 'reference', filename: 'ref.wav' }, { sendBytes: 100_000 });
    const resumed = await fetch(`${t.baseUrl}${r.location}`, {
      method: 'PATCH',
      headers: { Cookie: owner.cookie, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '100000', 'Content-Type': 'application/offset+octet-stream' },
      body: Buffer.from(wav.subarray(100_000)),
    });
    assert.equal(resumed.status, 204, await resumed.text());
    const assetId = resumed.headers.get('upload-asset-id')!;
    const asset = await call(t.baseUrl, owner, 'GET', `/api/assets/${assetId}`);
    assert.equal(asset.json.kind, 'reference');
    assert.equal(asset.json.sha256, createHash('sha256').update(wav).digest('hex'));
  });

  test('uploads are write-only and private to their uploader', async () => {
    const other = await signUp(t.baseUrl, 'other@example.com');
    const r = await tusUpload(t.baseUrl, owner, makeWav(1), { trackId, kind: 'mix', filename: 'private.wav' }, { sendBytes: 1000 });
    const get = await fetch(`${t.baseUrl}${r.location}`, { headers: { Cookie: owner.cookie } });
    assert.equal(get.status, 405);
    const head = await fetch(`${t.baseUrl}${r.location}`, { method: 'HEAD', headers: { Cookie: other.cookie, 'Tus-Resumable': '1.0.0' } });
    assert.equal(head.status, 404);
    const anonymous = await fetch(`${t.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '10', 'Upload-Metadata': tusMetadata({ trackId, kind: 'mix', filename: 'a.wav' }) },
    });
    assert.equal(anonymous.status, 401);
  });
});
