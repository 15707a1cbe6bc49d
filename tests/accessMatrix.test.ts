// The access-control matrix: for every route and every socket event, callers without a session get 401, non-members
// get 404 (existence is not revealed), members below the required role get 403, and allowed roles get through.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { CLIENT_EVENT_MIN_ROLE, clientEventSchemas, type ClientEventName } from '../lib/server/realtime/events';
import { repoRoot } from '../server/productionBuild';
import { startTestServer, type TestServer } from './helpers/testServer';
import { call, makeWav, signUp, tusMetadata, tusUpload, type WebUser } from './helpers/webClient';
import { ROUTES, type Access } from './routeTable';

const ROLES = ['viewer', 'artist', 'engineer', 'owner'] as const;
type Role = (typeof ROLES)[number];
const RANK: Record<Role, number> = { viewer: 0, artist: 1, engineer: 2, owner: 3 };

let t: TestServer;
const users = {} as Record<Role | 'outsider', WebUser>;
const ids: Record<string, string> = {};
const foreign: Record<string, string> = {};

function listRouteFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listRouteFiles(p));
    else if (entry.name === 'route.ts') out.push(p);
  }
  return out;
}

function exportedMethods(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const methods = new Set<string>();
  for (const m of src.matchAll(/export\s+(?:async\s+)?function\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/g)) methods.add(m[1]);
  for (const m of src.matchAll(/\bas\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/g)) methods.add(m[1]);
  return [...methods];
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\[(\w+)\]/g, (_, name: string) => {
    const v = values[name];
    if (!v) throw new Error(`no fixture id for [${name}]`);
    return v;
  });
}

before(async () => {
  t = await startTestServer();
  for (const role of [...ROLES, 'outsider'] as const) users[role] = await signUp(t.baseUrl, `${role}@example.com`, role);
  const project = await call(t.baseUrl, users.owner, 'POST', '/api/projects', { name: 'Matrix project' });
  ids.projectId = project.json.id;
  for (const role of ['viewer', 'artist', 'engineer'] as const) {
    const r = await call(t.baseUrl, users.owner, 'POST', `/api/projects/${ids.projectId}/members`, { email: users[role].email, role });
    assert.equal(r.json.status, 'added');
  }
  const members = await call(t.baseUrl, users.owner, 'GET', `/api/projects/${ids.projectId}/members`);
  ids.membershipId = members.json.members.find((m: { email: string }) => m.email === users.viewer.email).id;
  await call(t.baseUrl, users.owner, 'POST', `/api/projects/${ids.projectId}/members`, { email: 'pending@example.com', role: 'artist' });
  ids.inviteId = (await call(t.baseUrl, users.owner, 'GET', `/api/projects/${ids.projectId}/members`)).json.invites[0].id;
  ids.trackId = (await call(t.baseUrl, users.owner, 'POST', `/api/projects/${ids.projectId}/tracks`, { title: 'T' })).json.id;
  ids.assetId = (await tusUpload(t.baseUrl, users.artist, makeWav(0.2), { trackId: ids.trackId, kind: 'mix', filename: 'm.wav' })).assetId!;
  assert.ok(ids.assetId);
  ids.commentId = (await call(t.baseUrl, users.viewer, 'POST', `/api/tracks/${ids.trackId}/comments`, { assetId: ids.assetId, body: 'Fixture' })).json.id;
  ids.shareLinkId = (await call(t.baseUrl, users.owner, 'POST', `/api/tracks/${ids.trackId}/share-links`, {})).json.id;
  assert.ok(ids.commentId && ids.shareLinkId);

  // Another project the matrix users are not in, to try guessing ids across projects.
  foreign.projectId = (await call(t.baseUrl, users.outsider, 'POST', '/api/projects', { name: 'Elsewhere' })).json.id;
  foreign.trackId = (await call(t.baseUrl, users.outsider, 'POST', `/api/projects/${foreign.projectId}/tracks`, { title: 'F' })).json.id;
  foreign.assetId = (await tusUpload(t.baseUrl, users.outsider, makeWav(0.2), { trackId: foreign.trackId, kind: 'mix', filename: 'f.wav' })).assetId!;
  foreign.membershipId = (await call(t.baseUrl, users.outsider, 'GET', `/api/projects/${foreign.projectId}/members`)).json.members[0].id;
  await call(t.baseUrl, users.outsider, 'POST', `/api/projects/${foreign.projectId}/members`, { email: 'x@example.com', role: 'viewer' });
  foreign.commentId = (await call(t.baseUrl, users.outsider, 'POST', `/api/tracks/${foreign.trackId}/comments`, { assetId: foreign.assetId, body: 'F' })).json.id;
  foreign.shareLinkId = (await call(t.baseUrl, users.outsider, 'POST', `/api/tracks/${foreign.trackId}/share-links`, {})).json.id;
  foreign.inviteId = (await call(t.baseUrl, users.outsider, 'GET', `/api/projects/${foreign.projectId}/members`)).json.invites[0].id;
});

after(async () => {
  await t?.stop();
});

test('every route handler under app/ has a rule in the route table', () => {
  const missing: string[] = [];
  for (const file of listRouteFiles(path.join(repoRoot, 'app'))) {
    const route = '/' + path.relative(path.join(repoRoot, 'app'), path.dirname(file)).split(path.sep).join('/');
    for (const method of exportedMethods(file)) {
      if (!ROUTES.some((r) => r.path === route && r.method === method)) missing.push(`${method} ${route}`);
    }
  }
  assert.deepEqual(missing, [], 'routes without an access rule in tests/routeTable.ts');
  assert.ok(ROUTES.length >= 20);
});

const memberRoutes = ROUTES.filter((r): r is typeof r & { access: Role } => (ROLES as readonly Access[]).includes(r.access));

describe('project routes', () => {
  for (const rule of memberRoutes) {
    test(`${rule.method} ${rule.path} needs ${rule.access}`, async () => {
      const url = fill(rule.path, ids);
      const anonymous = await call(t.baseUrl, null, rule.method, url, rule.body);
      assert.equal(anonymous.status, 401, 'no session');
      const outsider = await call(t.baseUrl, users.outsider, rule.method, url, rule.body);
      assert.equal(outsider.status, 404, 'non-member sees 404');
      for (const role of ROLES.filter((r) => RANK[r] < RANK[rule.access])) {
        const r = await call(t.baseUrl, users[role], rule.method, url, rule.body);
        assert.equal(r.status, 403, `${role} is refused`);
        if (rule.method !== 'HEAD') assert.match(r.json.error, new RegExp(rule.access));
      }
      // Guessing another project's ids: as the most powerful member of ours, still a 404.
      const guessed = await call(t.baseUrl, users.owner, rule.method, fill(rule.path, foreign), rule.body);
      assert.equal(guessed.status, 404, 'ids from another project are not found');
      if (rule.safe) {
        const allowed = await call(t.baseUrl, users[rule.access], rule.method, url, rule.body);
        assert.ok(allowed.status < 300, `${rule.access} is allowed (${allowed.status} ${allowed.text.slice(0, 200)})`);
      }
    });
  }
});

describe('signed-in routes', () => {
  for (const rule of ROUTES.filter((r) => r.access === 'user')) {
    test(`${rule.method} ${rule.path} needs a session`, async () => {
      assert.equal((await call(t.baseUrl, null, rule.method, rule.path, rule.body)).status, 401);
      assert.ok((await call(t.baseUrl, users.viewer, rule.method, rule.path, rule.body)).status < 300);
    });
  }
  test('the project list only shows your own projects', async () => {
    const list = await call(t.baseUrl, users.outsider, 'GET', '/api/projects');
    assert.ok(!list.json.some((p: { id: string }) => p.id === ids.projectId));
  });
});

describe('downloads cannot escape', () => {
  test('path-like asset ids and storage paths are not served', async () => {
    for (const attempt of ['..%2F..%2Fetc%2Fpasswd', '%2e%2e', 'assets%2F' + ids.assetId + '%2Foriginal.wav', ids.assetId + '%00']) {
      const r = await call(t.baseUrl, users.owner, 'GET', `/api/assets/${attempt}/file`);
      assert.ok(r.status === 404 || r.status === 400, `${attempt}: ${r.status}`);
    }
    const traversal = await fetch(`${t.baseUrl}/api/assets/../../../../etc/passwd`, { headers: { Cookie: users.owner.cookie } });
    assert.notEqual(traversal.status, 200);
  });
});

describe('upload endpoint', () => {
  test('creating an upload needs artist on the track; outsiders get 404; no session 401', async () => {
    const meta = { trackId: ids.trackId, kind: 'mix', filename: 'a.wav' };
    assert.equal((await tusUpload(t.baseUrl, null, makeWav(0.1), meta)).createStatus, 401);
    assert.equal((await tusUpload(t.baseUrl, users.outsider, makeWav(0.1), meta)).createStatus, 404);
    const viewer = await tusUpload(t.baseUrl, users.viewer, makeWav(0.1), meta);
    assert.equal(viewer.createStatus, 403);
    assert.match(viewer.createText, /artist/);
    assert.equal((await tusUpload(t.baseUrl, users.artist, makeWav(0.1), meta)).patchStatus, 204);
    assert.equal((await tusUpload(t.baseUrl, users.owner, makeWav(0.1), { ...meta, trackId: foreign.trackId })).createStatus, 404);
  });

  test('another user cannot continue, inspect or delete your upload', async () => {
    const started = await tusUpload(t.baseUrl, users.artist, makeWav(1), { trackId: ids.trackId, kind: 'mix', filename: 'b.wav' }, { sendBytes: 1000 });
    for (const method of ['HEAD', 'PATCH', 'DELETE']) {
      const r = await fetch(`${t.baseUrl}${started.location}`, {
        method,
        headers: { Cookie: users.owner.cookie, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '1000', 'Content-Type': 'application/offset+octet-stream' },
        body: method === 'PATCH' ? Buffer.alloc(10) : undefined,
      });
      assert.equal(r.status, 404, method);
    }
    const post = await fetch(`${t.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: { Cookie: users.engineer.cookie, 'Tus-Resumable': '1.0.0', 'Upload-Length': '10', 'Upload-Metadata': tusMetadata({ trackId: ids.trackId, kind: 'reference', filename: 'r.wav' }) },
    });
    assert.equal(post.status, 201, 'engineer (above artist) may upload');
  });
});

describe('socket events', () => {
  const payloads: Record<ClientEventName, (projectId: string, trackId: string) => unknown> = {
    'project:join': (projectId) => ({ projectId }),
    'project:leave': (projectId) => ({ projectId }),
    'track:join': (projectId, trackId) => ({ projectId, trackId }),
    'track:leave': (projectId, trackId) => ({ projectId, trackId }),
  };

  function open(user: WebUser | null): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(t.baseUrl, { path: '/socket.io', transports: ['websocket'], extraHeaders: user ? { Cookie: user.cookie } : {}, reconnection: false });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  const emit = (socket: Socket, event: string, payload: unknown) =>
    socket.timeout(5000).emitWithAck(event, payload) as Promise<{ ok: boolean; status?: number }>;

  test('every client event has a role and a test payload', () => {
    assert.deepEqual(Object.keys(payloads).sort(), Object.keys(clientEventSchemas).sort());
    assert.deepEqual(Object.keys(CLIENT_EVENT_MIN_ROLE).sort(), Object.keys(clientEventSchemas).sort());
  });

  test('a socket without a session is refused at the handshake', async () => {
    await assert.rejects(open(null), /unauthorized/);
  });

  for (const event of Object.keys(clientEventSchemas) as ClientEventName[]) {
    test(`${event} needs ${CLIENT_EVENT_MIN_ROLE[event]} and refuses non-members with 404`, async () => {
      const outsider = await open(users.outsider);
      const refused = await emit(outsider, event, payloads[event](ids.projectId, ids.trackId));
      assert.deepEqual(refused, { ok: false, status: 404, error: 'Project not found' });
      const malformed = await emit(outsider, event, { projectId: 42 });
      assert.equal(malformed.status, 400);
      outsider.close();
      for (const role of ROLES) {
        const socket = await open(users[role]);
        const result = await emit(socket, event, payloads[event](ids.projectId, ids.trackId));
        assert.equal(result.ok, RANK[role] >= RANK[CLIENT_EVENT_MIN_ROLE[event]], `${role}: ${JSON.stringify(result)}`);
        socket.close();
      }
    });
  }

  test('a non-member never receives a project event; a viewer does', async () => {
    const { emitProjectEvent } = await import('../lib/server/realtime/emitter');
    const outsider = await open(users.outsider);
    const viewer = await open(users.viewer);
    await emit(outsider, 'project:join', { projectId: ids.projectId });
    assert.equal((await emit(viewer, 'project:join', { projectId: ids.projectId })).ok, true);
    const seenByOutsider: unknown[] = [];
    outsider.on('project:updated', (p) => seenByOutsider.push(p));
    const received = new Promise((resolve) => viewer.once('project:updated', resolve));
    await emitProjectEvent(ids.projectId, 'project:updated', { projectId: ids.projectId, name: 'Live name' });
    assert.deepEqual(await received, { projectId: ids.projectId, name: 'Live name' });
    // The viewer got it, and both sockets share one server and one broadcast: the outsider had the same chance.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seenByOutsider, []);
    outsider.close();
    viewer.close();
  });

  test('a removed member stops receiving events at once', async () => {
    const socket = await open(users.viewer);
    assert.equal((await emit(socket, 'project:join', { projectId: ids.projectId })).ok, true);
    const seen: unknown[] = [];
    socket.on('project:updated', (p) => seen.push(p));
    const removed = await call(t.baseUrl, users.owner, 'DELETE', `/api/projects/${ids.projectId}/members/${ids.membershipId}`);
    assert.equal(removed.status, 204);
    const { emitProjectEvent } = await import('../lib/server/realtime/emitter');
    const owner = await open(users.owner);
    await emit(owner, 'project:join', { projectId: ids.projectId });
    const ownerGot = new Promise((resolve) => owner.once('project:updated', resolve));
    await emitProjectEvent(ids.projectId, 'project:updated', { projectId: ids.projectId, name: 'After removal' });
    await ownerGot;
    assert.deepEqual(seen, []);
    assert.equal((await emit(socket, 'project:join', { projectId: ids.projectId })).status, 404);
    socket.close();
    owner.close();
  });
});

describe('invites', () => {
  test('a pending invite becomes a membership with its role when that email signs up', async () => {
    const invitee = await signUp(t.baseUrl, 'Pending@Example.com', 'Pat');
    const project = await call(t.baseUrl, invitee, 'GET', `/api/projects/${ids.projectId}`);
    assert.equal(project.status, 200);
    assert.equal(project.json.role, 'artist');
    const members = await call(t.baseUrl, users.owner, 'GET', `/api/projects/${ids.projectId}/members`);
    assert.ok(!members.json.invites.some((i: { email: string }) => i.email === 'pending@example.com'), 'the invite is used up');
    assert.ok(members.json.members.some((m: { email: string; role: string }) => m.email === 'pending@example.com' && m.role === 'artist'));
  });
});

describe('owner-only destructive routes', () => {
  test('an owner can delete a track and the project; afterwards everything 404s and files are gone', async () => {
    const del = await call(t.baseUrl, users.owner, 'DELETE', `/api/tracks/${ids.trackId}`);
    assert.equal(del.status, 204);
    assert.equal((await call(t.baseUrl, users.owner, 'GET', `/api/assets/${ids.assetId}/file`)).status, 404);
    const project = await call(t.baseUrl, users.owner, 'DELETE', `/api/projects/${ids.projectId}`);
    assert.equal(project.status, 204);
    assert.equal((await call(t.baseUrl, users.owner, 'GET', `/api/projects/${ids.projectId}`)).status, 404);
    const remaining = fs.readdirSync(path.join(t.dataDir, 'storage', 'assets'));
    assert.deepEqual(remaining.sort(), [foreign.assetId].sort(), 'only the other project’s file is left');
  });
});
