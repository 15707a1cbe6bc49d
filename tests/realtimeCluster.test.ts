// Two web processes on different ports sharing one database: events emitted in one reach sockets connected to the
// other (postgres adapter), and a worker process without any socket.io server reaches them too (NOTIFY emitter).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { repoRoot } from '../server/productionBuild';
import { startTestServer, type TestServer } from './helpers/testServer';
import { call, signUp, type WebUser } from './helpers/webClient';

let a: TestServer;
let b: { process: ChildProcess; baseUrl: string };
let user: WebUser;
let projectId: string;

function startSecondProcess(): Promise<{ process: ChildProcess; baseUrl: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tests/helpers/serverProcess.ts')], {
      cwd: repoRoot,
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NEXTAUTH_URL')) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\d+)/.exec(out);
      if (match) resolve({ process: child, baseUrl: `http://127.0.0.1:${match[1]}` });
    });
    child.once('exit', (code) => reject(new Error(`second web process exited early (${code})`)));
  });
}

function open(baseUrl: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(baseUrl, { path: '/socket.io', transports: ['websocket'], extraHeaders: { Cookie: user.cookie }, reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

before(async () => {
  a = await startTestServer();
  b = await startSecondProcess();
  user = await signUp(a.baseUrl, 'engineer@example.com', 'Eve');
  projectId = (await call(a.baseUrl, user, 'POST', '/api/projects', { name: 'Cluster' })).json.id;
});

after(async () => {
  if (b?.process.exitCode === null) {
    const exited = new Promise((r) => b.process.once('exit', r));
    b.process.kill('SIGTERM');
    await exited;
  }
  await a?.stop();
});

test('a session made on one process is valid on the other', async () => {
  const r = await call(b.baseUrl, user, 'GET', `/api/projects/${projectId}`);
  assert.equal(r.status, 200);
});

test('job progress emitted by web process A reaches a socket connected to web process B', async () => {
  const socket = await open(b.baseUrl);
  const ack = await socket.timeout(5000).emitWithAck('project:join', { projectId });
  assert.deepEqual(ack, { ok: true });
  const received = new Promise((resolve) => socket.once('job:progress', resolve));
  const { emitProjectEvent } = await import('../lib/server/realtime/emitter');
  const payload = { jobId: 'job1', projectId, trackId: null, assetId: null, type: 'analyze', state: 'active' as const, progress: 30, step: 'loudness' };
  await emitProjectEvent(projectId, 'job:progress', payload);
  assert.deepEqual(await received, payload);
  socket.close();
});

test('a worker process with no socket.io server reaches sockets on both web processes', async () => {
  const onA = await open(a.baseUrl);
  const onB = await open(b.baseUrl);
  for (const s of [onA, onB]) assert.deepEqual(await s.timeout(5000).emitWithAck('project:join', { projectId }), { ok: true });
  const both = Promise.all([onA, onB].map((s) => new Promise<{ progress: number; step: string }>((r) => s.once('job:progress', r))));
  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tests/helpers/emitOnce.ts'), projectId, 'job2'], {
    cwd: repoRoot,
    env: process.env,
    stdio: 'inherit',
  });
  const code = await new Promise((r) => worker.once('exit', r));
  assert.equal(code, 0);
  const [fromA, fromB] = await both;
  assert.equal(fromA.progress, 42);
  assert.equal(fromB.step, 'from a worker');
  onA.close();
  onB.close();
});
