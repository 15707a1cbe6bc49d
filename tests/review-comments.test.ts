// Review room rules against the real server and database: comments (threads, resolve, edit/delete own, XSS as text,
// length limits, idempotent retries, live events, catch-up), chat, mentions → notifications, presence, approvals and
// delivery downloads (Content-Length, approval final once downloaded).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import { getPrisma } from '../lib/server/db/client';
import { createReadyMaster, createRenderedDelivery } from './helpers/masterFixture';
import { joinTrack, nextEvent, openSocket } from './helpers/reviewSockets';
import { startTestServer, type TestServer } from './helpers/testServer';
import { call, makeWav, signUp, tusUpload, type WebUser } from './helpers/webClient';

let t: TestServer;
const u = {} as Record<'owner' | 'engineer' | 'artist' | 'viewer' | 'outsider', WebUser>;
let projectId: string;
let trackId: string;
let mixId: string;
const sockets: Socket[] = [];

async function socketFor(user: WebUser): Promise<Socket> {
  const s = await openSocket(t.baseUrl, user);
  sockets.push(s);
  await joinTrack(s, projectId, trackId);
  return s;
}

const comment = (user: WebUser | null, body: unknown) => call(t.baseUrl, user, 'POST', `/api/tracks/${trackId}/comments`, body);

before(async () => {
  t = await startTestServer();
  u.owner = await signUp(t.baseUrl, 'owner@example.com', 'Olive Owner');
  u.engineer = await signUp(t.baseUrl, 'eng@example.com', 'Eddie Engineer');
  u.artist = await signUp(t.baseUrl, 'artist@example.com', 'Ada Artist');
  u.viewer = await signUp(t.baseUrl, 'viewer@example.com', 'Vic Viewer');
  u.outsider = await signUp(t.baseUrl, 'out@example.com', 'Oscar Outsider');
  projectId = (await call(t.baseUrl, u.owner, 'POST', '/api/projects', { name: 'Review' })).json.id;
  for (const role of ['engineer', 'artist', 'viewer'] as const) {
    await call(t.baseUrl, u.owner, 'POST', `/api/projects/${projectId}/members`, { email: u[role].email, role });
  }
  trackId = (await call(t.baseUrl, u.owner, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Headlights' })).json.id;
  mixId = (await tusUpload(t.baseUrl, u.artist, makeWav(0.5), { trackId, kind: 'mix', filename: 'mix.wav' })).assetId!;
  assert.ok(mixId);
});

after(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

describe('comments', () => {
  test('a viewer comments at 0:42; an engineer with the page open gets it live, replies, resolves', async () => {
    const engineer = await socketFor(u.engineer);
    const viewerSocket = await socketFor(u.viewer);
    const live = nextEvent(engineer, 'comment:upserted', (p) => p.comment.body === 'Snare too loud here');
    const created = await comment(u.viewer, { assetId: mixId, body: 'Snare too loud here', timeSeconds: 42 });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.timeSeconds, 42);
    assert.equal(created.json.author.name, 'Vic Viewer');
    const event = await live;
    assert.equal(event.comment.id, created.json.id);
    assert.equal(event.trackId, trackId);

    const replyLive = nextEvent(viewerSocket, 'comment:upserted', (p) => p.comment.parentId === created.json.id);
    const reply = await comment(u.engineer, { assetId: mixId, body: 'Pulled it down 1 dB', parentId: created.json.id, timeSeconds: 99 });
    assert.equal(reply.status, 201);
    assert.equal(reply.json.parentId, created.json.id);
    assert.equal(reply.json.timeSeconds, null, 'replies live on the thread, not at a time of their own');
    await replyLive;
    // A reply to a reply joins the root thread.
    const nested = await comment(u.viewer, { assetId: mixId, body: 'thanks', parentId: reply.json.id });
    assert.equal(nested.json.parentId, created.json.id);

    const resolvedLive = nextEvent(viewerSocket, 'comment:upserted', (p) => p.comment.id === created.json.id && p.comment.resolvedAt);
    const resolved = await call(t.baseUrl, u.engineer, 'PATCH', `/api/comments/${created.json.id}`, { resolved: true });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.json.resolvedBy, 'Eddie Engineer');
    await resolvedLive;
    const reopened = await call(t.baseUrl, u.viewer, 'PATCH', `/api/comments/${created.json.id}`, { resolved: false });
    assert.equal(reopened.json.resolvedAt, null);
    assert.equal((await call(t.baseUrl, u.viewer, 'PATCH', `/api/comments/${reply.json.id}`, { resolved: true })).status, 409, 'replies are not resolved on their own');
  });

  test('a range comment needs an end after its start', async () => {
    const ok = await comment(u.artist, { assetId: mixId, body: 'this whole chorus', timeSeconds: 10, endSeconds: 20.5 });
    assert.equal(ok.status, 201);
    assert.equal(ok.json.endSeconds, 20.5);
    const bad = await comment(u.artist, { assetId: mixId, body: 'backwards', timeSeconds: 20, endSeconds: 10 });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /end after it starts/);
  });

  test('an XSS payload is stored and returned exactly as text', async () => {
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> & "quotes" \'single\'';
    const created = await comment(u.artist, { assetId: mixId, body: payload, timeSeconds: 1 });
    assert.equal(created.status, 201);
    assert.equal(created.json.body, payload);
    const list = await call(t.baseUrl, u.viewer, 'GET', `/api/tracks/${trackId}/comments`);
    assert.equal(list.json.comments.find((c: { id: string }) => c.id === created.json.id).body, payload);
    assert.match(list.headers.get('content-type')!, /application\/json/);
  });

  test('length limits, empty text and control characters are refused with clear 400s', async () => {
    const tooLong = await comment(u.artist, { assetId: mixId, body: 'x'.repeat(5001) });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.json.error, /limited to 5000 characters/);
    assert.equal((await comment(u.artist, { assetId: mixId, body: 'x'.repeat(5000) })).status, 201, 'exactly at the limit is fine');
    const empty = await comment(u.artist, { assetId: mixId, body: '   ' });
    assert.equal(empty.status, 400);
    assert.match(empty.json.error, /Write something/);
    assert.equal((await comment(u.artist, { assetId: mixId, body: 'bell\u0007' })).status, 400);
    assert.equal((await comment(u.artist, { assetId: mixId, body: 'ok', timeSeconds: -1 })).status, 400);
    assert.equal((await comment(u.artist, { assetId: mixId, body: 'ok', clientKey: 'bad key!' })).status, 400);
    const chat = await call(t.baseUrl, u.artist, 'POST', `/api/tracks/${trackId}/chat`, { body: 'y'.repeat(5001) });
    assert.equal(chat.status, 400);
  });

  test('a retried send with the same clientKey never duplicates, even when retries race', async () => {
    const body = { assetId: mixId, body: 'retry me', timeSeconds: 3, clientKey: 'key-retry-0001' };
    const first = await comment(u.artist, body);
    const second = await comment(u.artist, body);
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(second.json.id, first.json.id);
    const racing = await Promise.all(Array.from({ length: 6 }, () => comment(u.artist, { ...body, clientKey: 'key-race-000001' })));
    const ids = new Set(racing.map((r) => r.json.id));
    assert.equal(ids.size, 1, 'one comment for six racing sends');
    assert.equal(racing.filter((r) => r.status === 201).length, 1);
    assert.equal(await getPrisma().comment.count({ where: { clientKey: 'key-race-000001' } }), 1);
    // Someone else's key is not a way to read or hijack their comment.
    assert.equal((await comment(u.viewer, body)).status, 409);
    const chat1 = await call(t.baseUrl, u.artist, 'POST', `/api/tracks/${trackId}/chat`, { body: 'hi', clientKey: 'chat-key-0001' });
    const chat2 = await call(t.baseUrl, u.artist, 'POST', `/api/tracks/${trackId}/chat`, { body: 'hi', clientKey: 'chat-key-0001' });
    assert.deepEqual([chat1.status, chat2.status, chat2.json.id], [201, 200, chat1.json.id]);
  });

  test('edit and delete your own; the owner may delete any; others get 403', async () => {
    const mine = await comment(u.artist, { assetId: mixId, body: 'first take', timeSeconds: 5 });
    assert.equal((await call(t.baseUrl, u.engineer, 'PATCH', `/api/comments/${mine.json.id}`, { body: 'hijack' })).status, 403);
    const edited = await call(t.baseUrl, u.artist, 'PATCH', `/api/comments/${mine.json.id}`, { body: 'second take' });
    assert.equal(edited.json.body, 'second take');
    assert.ok(edited.json.editedAt);
    assert.equal((await call(t.baseUrl, u.viewer, 'DELETE', `/api/comments/${mine.json.id}`)).status, 403);
    assert.equal((await call(t.baseUrl, u.owner, 'DELETE', `/api/comments/${mine.json.id}`)).status, 204);
    const list = await call(t.baseUrl, u.artist, 'GET', `/api/tracks/${trackId}/comments`);
    const gone = list.json.comments.find((c: { id: string }) => c.id === mine.json.id);
    assert.ok(gone.deletedAt);
    assert.equal(gone.body, '', 'the text of a deleted comment is not served');
    assert.equal((await call(t.baseUrl, u.outsider, 'DELETE', `/api/comments/${mine.json.id}`)).status, 404);
  });

  test('non-members get 404; a comment on a version of another track is refused', async () => {
    assert.equal((await call(t.baseUrl, u.outsider, 'GET', `/api/tracks/${trackId}/comments`)).status, 404);
    assert.equal((await comment(u.outsider, { assetId: mixId, body: 'hi' })).status, 404);
    const other = (await call(t.baseUrl, u.owner, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Other' })).json.id;
    const r = await call(t.baseUrl, u.artist, 'POST', `/api/tracks/${other}/comments`, { assetId: mixId, body: 'wrong track' });
    assert.equal(r.status, 404);
  });

  test('a reconnecting client catches up with only what changed since its last server time', async () => {
    const old = await comment(u.artist, { assetId: mixId, body: 'seen before the drop', timeSeconds: 6 });
    const untouched = await comment(u.artist, { assetId: mixId, body: 'never changes', timeSeconds: 8 });
    await new Promise((r) => setTimeout(r, 5500)); // beyond the 5 s overlap the server adds for clock skew
    const since = (await call(t.baseUrl, u.viewer, 'GET', `/api/tracks/${trackId}/comments`)).json.serverTime;
    const newOne = await comment(u.artist, { assetId: mixId, body: 'while you were away', timeSeconds: 7 });
    const resolvedOld = await call(t.baseUrl, u.engineer, 'PATCH', `/api/comments/${old.json.id}`, { resolved: true });
    assert.equal(resolvedOld.status, 200);
    const delta = await call(t.baseUrl, u.viewer, 'GET', `/api/tracks/${trackId}/comments?since=${encodeURIComponent(since)}`);
    const ids = delta.json.comments.map((c: { id: string }) => c.id);
    assert.ok(ids.includes(newOne.json.id), 'new comments are caught up');
    assert.ok(ids.includes(old.json.id), 'changes to old comments (resolve) are caught up too');
    const full = await call(t.baseUrl, u.viewer, 'GET', `/api/tracks/${trackId}/comments`);
    assert.ok(!ids.includes(untouched.json.id), 'unchanged older comments are not sent again');
    assert.ok(ids.length < full.json.comments.length);
    for (const c of delta.json.comments) assert.ok(new Date(c.updatedAt).getTime() >= new Date(since).getTime() - 5000);
    assert.equal((await call(t.baseUrl, u.viewer, 'GET', `/api/tracks/${trackId}/comments?since=yesterday`)).status, 400);
  });
});

describe('mentions and notifications', () => {
  test('an @mention notifies that member live; others get a comment notification; read marks clear the count', async () => {
    const artistSocket = await openSocket(t.baseUrl, u.artist);
    sockets.push(artistSocket);
    const unreadBefore = (await call(t.baseUrl, u.artist, 'GET', '/api/notifications')).json.unread;
    const live = nextEvent(artistSocket, 'notification:new', (p) => p.notification.kind === 'mention');
    const c = await comment(u.engineer, { assetId: mixId, body: 'what do you think @Ada Artist? not @Adam', timeSeconds: 12 });
    assert.deepEqual(c.json.mentionIds, [u.artist.id]);
    const n = await live;
    assert.match(n.notification.text, /Eddie Engineer mentioned you on “Headlights”/);
    assert.match(n.notification.link, new RegExp(`/projects/${projectId}/tracks/${trackId}`));
    const artistList = await call(t.baseUrl, u.artist, 'GET', '/api/notifications');
    assert.equal(artistList.json.unread, unreadBefore + 1, 'mentioned people get one notification, not two');
    const viewerList = await call(t.baseUrl, u.viewer, 'GET', '/api/notifications');
    assert.ok(viewerList.json.items.some((x: { kind: string; text: string }) => x.kind === 'comment' && /commented at 0:12/.test(x.text)));
    const engineerList = await call(t.baseUrl, u.engineer, 'GET', '/api/notifications');
    assert.ok(!engineerList.json.items.some((x: { text: string }) => x.text.includes('not @Adam')), 'no notification for your own comment');
    const outsiderList = await call(t.baseUrl, u.outsider, 'GET', '/api/notifications');
    assert.equal(outsiderList.json.items.length, 0);
    const read = await call(t.baseUrl, u.artist, 'PATCH', '/api/notifications', {});
    assert.equal(read.json.unread, 0);
    // Someone else's notification ids do nothing for you.
    const otherIds = viewerList.json.items.map((x: { id: string }) => x.id);
    await call(t.baseUrl, u.artist, 'PATCH', '/api/notifications', { ids: otherIds });
    assert.equal((await call(t.baseUrl, u.viewer, 'GET', '/api/notifications')).json.unread, viewerList.json.unread);
  });

  test('a member mentioned by an edit is notified once; those mentioned before are not notified again', async () => {
    const c = await comment(u.engineer, { assetId: mixId, body: 'kick vs bass here, @Ada Artist', timeSeconds: 30 });
    const mentions = async (user: WebUser) =>
      (await call(t.baseUrl, user, 'GET', '/api/notifications')).json.items.filter((n: { kind: string; link: string }) => n.kind === 'mention' && n.link.endsWith(`?comment=${c.json.id}`)).length;
    assert.equal(await mentions(u.artist), 1);
    assert.equal(await mentions(u.viewer), 0);
    const edited = await call(t.baseUrl, u.engineer, 'PATCH', `/api/comments/${c.json.id}`, { body: 'kick vs bass here, @Ada Artist and @Vic Viewer' });
    assert.equal(edited.status, 200, edited.text);
    assert.deepEqual([...edited.json.mentionIds].sort(), [u.artist.id, u.viewer.id].sort());
    assert.equal(await mentions(u.viewer), 1, 'newly mentioned by the edit');
    assert.equal(await mentions(u.artist), 1, 'already mentioned: not again');
  });

  test('a new version notifies the other members, not the uploader', async () => {
    const v2 = await tusUpload(t.baseUrl, u.artist, makeWav(0.3), { trackId, kind: 'mix', filename: 'mix v2.wav' });
    assert.ok(v2.assetId);
    const owners = await call(t.baseUrl, u.owner, 'GET', '/api/notifications');
    assert.ok(owners.json.items.some((n: { kind: string; text: string }) => n.kind === 'version' && n.text === 'Ada Artist uploaded Mix v2 of “Headlights”'));
    const artists = await call(t.baseUrl, u.artist, 'GET', '/api/notifications');
    assert.ok(!artists.json.items.some((n: { kind: string }) => n.kind === 'version'));
  });

  test('chat messages arrive live, keep their history and mention members', async () => {
    const engineer = await socketFor(u.engineer);
    const live = nextEvent(engineer, 'chat:upserted', (p) => p.message.body.includes('less loud'));
    const sent = await call(t.baseUrl, u.artist, 'POST', `/api/tracks/${trackId}/chat`, { body: 'can we try it a bit less loud? @Eddie Engineer' });
    assert.equal(sent.status, 201);
    assert.deepEqual(sent.json.mentionIds, [u.engineer.id]);
    await live;
    const history = await call(t.baseUrl, u.viewer, 'GET', `/api/tracks/${trackId}/chat`);
    assert.ok(history.json.messages.some((m: { id: string }) => m.id === sent.json.id));
    assert.equal((await call(t.baseUrl, u.outsider, 'GET', `/api/tracks/${trackId}/chat`)).status, 404);
  });
});

describe('presence', () => {
  test('two tabs of one person count once; leaving updates everyone', async () => {
    // A member with no socket open yet, so the tab count starts from zero.
    const tess = await signUp(t.baseUrl, 'tess@example.com', 'Tess Tabs');
    await call(t.baseUrl, u.owner, 'POST', `/api/projects/${projectId}/members`, { email: tess.email, role: 'viewer' });
    const watcher = await socketFor(u.owner);
    const tab1 = await openSocket(t.baseUrl, tess);
    const tab2 = await openSocket(t.baseUrl, tess);
    sockets.push(tab1, tab2);
    await joinTrack(tab1, projectId, trackId);
    const twoTabs = nextEvent(watcher, 'presence:changed', (p) => p.people.some((x: { name: string; tabs: number }) => x.name === 'Tess Tabs' && x.tabs === 2));
    await joinTrack(tab2, projectId, trackId);
    const seen = await twoTabs;
    assert.equal(seen.people.filter((x: { name: string }) => x.name === 'Tess Tabs').length, 1);
    assert.ok(seen.people.some((x: { name: string }) => x.name === 'Olive Owner'));
    const gone = nextEvent(watcher, 'presence:changed', (p) => !p.people.some((x: { name: string }) => x.name === 'Tess Tabs'));
    tab1.close();
    tab2.close();
    await gone;
  });

  test('joining a track of another project is refused', async () => {
    const foreignProject = (await call(t.baseUrl, u.outsider, 'POST', '/api/projects', { name: 'Else' })).json.id;
    const foreignTrack = (await call(t.baseUrl, u.outsider, 'POST', `/api/projects/${foreignProject}/tracks`, { title: 'F' })).json.id;
    const s = await openSocket(t.baseUrl, u.owner);
    sockets.push(s);
    const r = (await s.timeout(5000).emitWithAck('track:join', { projectId, trackId: foreignTrack })) as { ok: boolean; status: number };
    assert.deepEqual([r.ok, r.status], [false, 404]);
  });
});

describe('approval and delivery', () => {
  let masterId: string;
  let deliveryId: string;

  before(async () => {
    masterId = await createReadyMaster(trackId, makeWav(1));
  });

  test('a viewer cannot approve; a mix cannot be approved; an artist approves a master, everyone sees it live', async () => {
    const viewerTry = await call(t.baseUrl, u.viewer, 'POST', `/api/assets/${masterId}/approval`);
    assert.equal(viewerTry.status, 403);
    assert.match(viewerTry.json.error, /artist/);
    assert.equal((await call(t.baseUrl, u.artist, 'POST', `/api/assets/${mixId}/approval`)).status, 409);
    assert.equal((await call(t.baseUrl, u.artist, 'GET', `/api/assets/${masterId}/deliveries`)).json.approved, false);
    assert.equal((await call(t.baseUrl, u.artist, 'POST', `/api/assets/${masterId}/deliveries`, {})).status, 409, 'no delivery before approval');
    const engineer = await socketFor(u.engineer);
    const live = nextEvent(engineer, 'approval:changed', (p) => p.assetId === masterId && p.approval);
    const approved = await call(t.baseUrl, u.artist, 'POST', `/api/assets/${masterId}/approval`);
    assert.equal(approved.status, 201);
    assert.equal(approved.json.user.name, 'Ada Artist');
    assert.equal(approved.json.revocable, true);
    assert.ok(Date.now() - new Date(approved.json.createdAt).getTime() < 60_000);
    await live;
    const listed = await call(t.baseUrl, u.viewer, 'GET', `/api/tracks/${trackId}/approvals`);
    assert.equal(listed.json[masterId].user.id, u.artist.id);
    const notes = await call(t.baseUrl, u.owner, 'GET', '/api/notifications');
    assert.ok(notes.json.items.some((n: { kind: string; text: string }) => n.kind === 'approval' && /Ada Artist approved master v1/.test(n.text)));
  });

  test('the approval is revocable by its author (not by another artist) and can be given again', async () => {
    const other = await signUp(t.baseUrl, 'artist2@example.com', 'Second Artist');
    await call(t.baseUrl, u.owner, 'POST', `/api/projects/${projectId}/members`, { email: other.email, role: 'artist' });
    assert.equal((await call(t.baseUrl, other, 'DELETE', `/api/assets/${masterId}/approval`)).status, 403);
    assert.equal((await call(t.baseUrl, u.artist, 'DELETE', `/api/assets/${masterId}/approval`)).status, 204);
    assert.deepEqual((await call(t.baseUrl, u.viewer, 'GET', `/api/tracks/${trackId}/approvals`)).json, {});
    assert.equal((await call(t.baseUrl, u.artist, 'POST', `/api/assets/${masterId}/approval`)).status, 201);
  });

  test('requesting deliveries creates the four formats and queues one export job', async () => {
    const r = await call(t.baseUrl, u.artist, 'POST', `/api/assets/${masterId}/deliveries`, {});
    assert.equal(r.status, 202, r.text);
    assert.ok(r.json.jobId);
    assert.deepEqual(r.json.deliveries.map((d: { format: string }) => d.format), ['wav24', 'wav16', 'flac24', 'mp3-320']);
    const job = await getPrisma().job.findUniqueOrThrow({ where: { id: r.json.jobId } });
    assert.equal(job.type, 'export');
    assert.equal((job.input as { exportIds: string[] }).exportIds.length, 4);
    const again = await call(t.baseUrl, u.artist, 'POST', `/api/assets/${masterId}/deliveries`, {});
    assert.equal(again.json.jobId, null, 'nothing is rendered twice');
  });

  test('downloads carry Content-Length, need membership, and make the approval final', async () => {
    // Stand in for the export job's output: a completed row with a stored file.
    await getPrisma().export.deleteMany({ where: { assetId: masterId, format: 'wav16' } });
    const bytes = makeWav(0.7);
    deliveryId = await createRenderedDelivery(masterId, 'wav16', bytes);
    const url = `${t.baseUrl}/downloads/exports/${deliveryId}`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { Cookie: u.outsider.cookie } })).status, 404);
    assert.equal((await fetch(`${t.baseUrl}/downloads/exports/..%2F..%2Fetc`, { headers: { Cookie: u.owner.cookie } })).status, 404);
    const head = await fetch(url, { method: 'HEAD', headers: { Cookie: u.viewer.cookie } });
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal((await call(t.baseUrl, u.artist, 'GET', `/api/tracks/${trackId}/approvals`)).json[masterId].revocable, true, 'HEAD is not a download');
    const res = await fetch(url, { headers: { Cookie: u.viewer.cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(bytes.length));
    assert.match(res.headers.get('content-disposition')!, /attachment; filename="Headlights \(master v1, WAV 16-bit - 44\.1 kHz\)\.wav"/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from(bytes));
    let final = false;
    for (let i = 0; i < 50 && !final; i++) {
      final = (await call(t.baseUrl, u.artist, 'GET', `/api/tracks/${trackId}/approvals`)).json[masterId].revocable === false;
      if (!final) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(final, 'the approval is final after a delivery download');
    const revoke = await call(t.baseUrl, u.artist, 'DELETE', `/api/assets/${masterId}/approval`);
    assert.equal(revoke.status, 409);
    assert.match(revoke.json.error, /already downloaded/);
    const listed = await call(t.baseUrl, u.viewer, 'GET', `/api/assets/${masterId}/deliveries`);
    assert.equal(listed.json.deliveries.find((d: { id: string }) => d.id === deliveryId).downloadPath, `/downloads/exports/${deliveryId}`);
  });
});

describe('track metadata', () => {
  test('ISRC is validated and stored compact; viewers cannot edit', async () => {
    const bad = await call(t.baseUrl, u.artist, 'PATCH', `/api/tracks/${trackId}/metadata`, { isrc: 'US-XYZ-2' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.fields.isrc, /CC-XXX-YY-NNNNN/);
    const ok = await call(t.baseUrl, u.artist, 'PATCH', `/api/tracks/${trackId}/metadata`, { artist: 'The Band', isrc: 'us-s1z-99-00001', year: 2026 });
    assert.equal(ok.status, 200);
    assert.deepEqual([ok.json.artist, ok.json.isrc, ok.json.year], ['The Band', 'USS1Z9900001', 2026]);
    assert.equal((await call(t.baseUrl, u.viewer, 'PATCH', `/api/tracks/${trackId}/metadata`, { artist: 'x' })).status, 403);
    const cleared = await call(t.baseUrl, u.artist, 'PATCH', `/api/tracks/${trackId}/metadata`, { isrc: '' });
    assert.equal(cleared.json.isrc, null);
  });

  test('a tag change renders the delivery files of an approved master again; the old file is not served meanwhile', async () => {
    const master = await getPrisma().asset.findFirstOrThrow({ where: { trackId, kind: 'master' } });
    // (The tag edits above already sent the earlier file back to rendering.) A freshly rendered file:
    await getPrisma().export.deleteMany({ where: { assetId: master.id, format: 'wav16' } });
    const rendered = { id: await createRenderedDelivery(master.id, 'wav16', makeWav(0.2)) };
    const engineer = await socketFor(u.engineer);
    const live = nextEvent(engineer, 'export:changed', (p) => p.assetId === master.id);
    const ok = await call(t.baseUrl, u.artist, 'PATCH', `/api/tracks/${trackId}/metadata`, { isrc: 'GB-ABC-26-00042' });
    assert.equal(ok.status, 200, ok.text);
    await live;
    const row = await getPrisma().export.findUniqueOrThrow({ where: { id: rendered.id } });
    assert.equal(row.status, 'queued');
    const jobs = await getPrisma().job.findMany({ where: { type: 'export', assetId: master.id }, orderBy: { createdAt: 'desc' } });
    assert.deepEqual((jobs[0].input as { exportIds: string[] }).exportIds, [rendered.id]);
    assert.equal((await fetch(`${t.baseUrl}/downloads/exports/${rendered.id}`, { headers: { Cookie: u.artist.cookie } })).status, 409);
    // Saving the same tags again changes nothing and renders nothing.
    const count = jobs.length;
    await call(t.baseUrl, u.artist, 'PATCH', `/api/tracks/${trackId}/metadata`, { isrc: 'GB-ABC-26-00042' });
    assert.equal(await getPrisma().job.count({ where: { type: 'export', assetId: master.id } }), count);
  });
});
