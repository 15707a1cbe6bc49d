// Measures the web server's resident memory while a 500 MB WAV is uploaded through tus in one streamed PATCH.
// Run: node --import tsx tests/measure/uploadRss.ts  (not part of npm test: it is a measurement, not an assertion)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../helpers/database';
import { ensureProductionBuild, repoRoot } from '../helpers/productionBuild';
import { call, signUp, tusMetadata } from '../helpers/webClient';

const TOTAL_BYTES = Number(process.env.UPLOAD_MB ?? 500) * 1024 * 1024;

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function writeWav(file: string, bytes: number) {
  const dataBytes = bytes - 44;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(44100, 24);
  header.writeUInt32LE(44100 * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(dataBytes, 40);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, header);
  const block = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < block.length / 2; i++) block.writeInt16LE(Math.round(6000 * Math.sin(i / 7)), i * 2);
  for (let written = 0; written < dataBytes; written += block.length) fs.writeSync(fd, block, 0, Math.min(block.length, dataBytes - written));
  fs.closeSync(fd);
}

ensureProductionBuild();
const db = await createTestDatabase();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-rss-'));
const wavPath = path.join(dataDir, 'big.wav');
writeWav(wavPath, TOTAL_BYTES);
const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tests/helpers/serverProcess.ts')], {
  cwd: repoRoot,
  env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, NEXTAUTH_SECRET: 'measure-secret-xxxxxxxxxxxxxxxxxxxxxxxx', NODE_ENV: 'production' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve) => {
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    const m = /LISTENING (\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
});
const baseUrl = `http://127.0.0.1:${port}`;
const user = await signUp(baseUrl, 'measure@example.com');
const projectId = (await call(baseUrl, user, 'POST', '/api/projects', { name: 'RSS' })).json.id;
const trackId = (await call(baseUrl, user, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Big' })).json.id;
await new Promise((r) => setTimeout(r, 2000));
const idle = rssMb(child.pid!);

const create = await fetch(`${baseUrl}/api/uploads`, {
  method: 'POST',
  headers: { Cookie: user.cookie, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(TOTAL_BYTES), 'Upload-Metadata': tusMetadata({ trackId, kind: 'mix', filename: 'big.wav' }) },
});
const location = create.headers.get('location')!;
let peak = idle;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!))), 50);
const started = Date.now();
const status = await new Promise<{ code: number; assetId: string | undefined }>((resolve, reject) => {
  const req = http.request(`${baseUrl}${location}`, {
    method: 'PATCH',
    headers: { Cookie: user.cookie, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(TOTAL_BYTES) },
  });
  req.on('response', (res) => {
    res.resume();
    res.on('end', () => resolve({ code: res.statusCode!, assetId: res.headers['upload-asset-id'] as string | undefined }));
  });
  req.on('error', reject);
  fs.createReadStream(wavPath).pipe(req);
});
const seconds = (Date.now() - started) / 1000;
clearInterval(sampler);
const after = rssMb(child.pid!);
console.log(JSON.stringify({ uploadMb: TOTAL_BYTES / 1048576, status: status.code, assetId: status.assetId, idleRssMb: Math.round(idle), peakRssMb: Math.round(peak), afterRssMb: Math.round(after), seconds }));
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await db.drop();
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
