// Measures the resident memory of the app server started as `npm start` starts it (server/start.ts: embedded
// PostgreSQL in a fresh DATA_DIR, migrations, Next, socket.io, tus, in-process worker), idle and while a 500 MB WAV
// is uploaded through tus in one streamed PATCH (the worst case: the browser sends 32 MB chunks).
// Run: node --import tsx tests/measure/uploadRss.ts   (a measurement, not part of npm test)
//   UPLOAD_MB=500  PORT=3903  IN_PROCESS_WORKER=false (to leave the analysis job that follows the upload queued)
// The server is the node process running server/start.ts (what `npm start` runs through tsx); PostgreSQL runs in its
// own processes and is reported apart. Needs a production build (npm start would make one; this refuses to time it).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { stopEmbeddedPostgres } from '../../lib/server/db/embedded';
import { repoRoot } from '../../server/productionBuild';
import { call, signUp, tusMetadata } from '../helpers/webClient';

const TOTAL_BYTES = Number(process.env.UPLOAD_MB ?? 500) * 1024 * 1024;
const PORT = Number(process.env.PORT ?? 3903);

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Proportional set size: shared pages (PostgreSQL's shared buffers) split between the processes mapping them. */
function pssMb(pid: number): number {
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/^Pss:\s+(\d+)/m.exec(rollup)![1]) / 1024;
}

/** Summed PSS of the embedded PostgreSQL's processes (postmaster and its children). */
function postgresPssMb(clusterDir: string): number {
  const pid = Number(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = pssMb(pid);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) total += pssMb(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return total;
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

if (!fs.existsSync(path.join(repoRoot, '.next', 'BUILD_ID'))) throw new Error('no production build: run `npm run build` (or `npm start` once) first');
// Under /tmp with traversable parents: as root the embedded PostgreSQL runs as `postgres`, which must reach it.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-rss-'));
fs.chmodSync(root, 0o755);
const dataDir = path.join(root, 'data');
const wavPath = path.join(root, 'big.wav');
writeWav(wavPath, TOTAL_BYTES);

const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(PORT), NODE_ENV: 'production' };
delete env.DATABASE_URL;
delete env.NEXTAUTH_SECRET;
const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/start.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
let log = '';
child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
const baseUrl = `http://127.0.0.1:${PORT}`;
for (const deadline = Date.now() + 180_000; ; ) {
  const ok = await fetch(`${baseUrl}/api/health`).then((r) => r.status === 200).catch(() => false);
  if (ok) break;
  if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not become healthy:\n${log}`);
  await new Promise((r) => setTimeout(r, 250));
}

try {
  const user = await signUp(baseUrl, 'measure@example.com');
  const projectId = (await call(baseUrl, user, 'POST', '/api/projects', { name: 'RSS' })).json.id;
  const trackId = (await call(baseUrl, user, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Big' })).json.id;
  await new Promise((r) => setTimeout(r, 5000));
  const idle = rssMb(child.pid!);
  const pgIdle = postgresPssMb(path.join(dataDir, 'postgres'));

  const create = await fetch(`${baseUrl}/api/uploads`, {
    method: 'POST',
    headers: { Cookie: user.cookie, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(TOTAL_BYTES), 'Upload-Metadata': tusMetadata({ trackId, kind: 'mix', filename: 'big.wav' }) },
  });
  if (create.status !== 201) throw new Error(`tus create failed: ${create.status} ${await create.text()}`);
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
  if (status.code !== 204 || !status.assetId) throw new Error(`upload failed: ${status.code}`);
  const asset = await call(baseUrl, user, 'GET', `/api/assets/${status.assetId}`);
  const stored = fs.statSync(path.join(dataDir, 'storage', 'assets', status.assetId, 'original.wav')).size;
  console.log(
    JSON.stringify({
      uploadMb: TOTAL_BYTES / 1048576,
      status: status.code,
      storedBytes: stored,
      sha256: asset.json.sha256,
      inProcessWorker: process.env.IN_PROCESS_WORKER !== 'false',
      serverIdleRssMb: Math.round(idle),
      serverPeakRssDuringUploadMb: Math.round(peak),
      serverRssRightAfterMb: Math.round(after),
      postgresIdlePssMb: Math.round(pgIdle),
      seconds,
    }),
  );
} finally {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stopAt = Date.now();
  child.kill('SIGINT');
  const code = await exited;
  console.log(JSON.stringify({ shutdownExitCode: code, shutdownSeconds: (Date.now() - stopAt) / 1000 }));
  // If the server had to give up waiting for a job it leaves PostgreSQL running (the next start adopts it).
  await stopEmbeddedPostgres(path.join(dataDir, 'postgres'));
  fs.rmSync(root, { recursive: true, force: true });
}
process.exit(0);
