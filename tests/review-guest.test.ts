// Guest review links against the real server: only a hash is stored, a guest listens and comments under a typed
// name (live both ways), cannot download unless allowed, and a revoked or expired link stops working at once,
// including the guest's open socket.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import { getPrisma } from '../lib/server/db/client';
import { createReadyMaster, createRenderedDelivery } from './helpers/masterFixture';
import { joinTrack, nextEvent, openSocket } from './helpers/reviewSockets';
import { startTestServer, type TestServer } from './helpers/testServer';
import { call, makeWav, signUp, tusUpload, type WebUser } from './helpers/webClient';

let t: TestServer;
let owner: WebUser;
let engineer: WebUser;
let projectId: string;
let trackId: string;
let mixId: string;
let referenceId: string;
let masterId: string;
let deliveryId: string;
const sockets: Socket[] = [];

async function createLink(body: unknown = {}): Promise<{ id: string; token: string; path: string }> {
  const r = await call(t.baseUrl, owner, 'POST', `/api/tracks/${trackId}/share-links`, body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  t = await startTestServer();
  owner = await signUp(t.baseUrl, 'owner@example.com', 'Olive Owner');
  engineer = await signUp(t.baseUrl, 'eng@example.com', 'Eddie Engineer');
  projectId = (await call(t.baseUrl, owner, 'POST', '/api/projects', { name: 'Guests' })).json.id;
  await call(t.baseUrl, owner, 'POST', `/api/projects/${projectId}/members`, { email: engineer.email, role: 'engineer' });
  trackId = (await call(t.baseUrl, owner, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Night Drive' })).json.id;
  mixId = (await tusUpload(t.baseUrl, owner, makeWav(1), { trackId, kind: 'mix', filename: 'mix.wav' })).assetId!;
  referenceId = (await tusUpload(t.baseUrl, owner, makeWav(0.3), { trackId, kind: 'reference', filename: 'ref.wav' })).assetId!;
  masterId = await createReadyMaster(trackId, makeWav(1));
  assert.equal((await call(t.baseUrl, owner, 'POST', `/api/assets/${masterId}/approval`)).status, 201);
  deliveryId = await createRenderedDelivery(masterId, 'wav24', makeWav(0.4));
});

after(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

describe('guest review links', () => {
  test('only the owner creates links, and only a hash of the token is stored', async () => {
    assert.equal((await call(t.baseUrl, engineer, 'POST', `/api/tracks/${trackId}/share-links`, {})).status, 403);
    const link = await createLink({ label: 'A&R' });
    assert.match(link.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(link.path, `/review/${link.token}`);
    const row = await getPrisma().shareLink.findUniqueOrThrow({ where: { id: link.id } });
    assert.equal(row.tokenHash, createHash('sha256').update(link.token).digest('hex'));
    assert.ok(!JSON.stringify(row).includes(link.token));
    const listed = await call(t.baseUrl, owner, 'GET', `/api/tracks/${trackId}/share-links`);
    assert.ok(!listed.text.includes(link.token), 'the token is never shown again');
    assert.equal((await call(t.baseUrl, owner, 'POST', `/api/tracks/${trackId}/share-links`, { expiresInHours: -1 })).status, 400);
  });

  test('a guest listens (ranges), sees mixes and masters but no references, and comments live under a typed name', async () => {
    const link = await createLink();
    const review = await call(t.baseUrl, null, 'GET', `/api/review/${link.token}`);
    assert.equal(review.status, 200);
    assert.equal(review.json.title, 'Night Drive');
    const versionIds = review.json.versions.map((v: { id: string }) => v.id);
    assert.ok(versionIds.includes(mixId) && versionIds.includes(masterId));
    assert.ok(!versionIds.includes(referenceId), 'references are not shared with guests');
    assert.equal((await call(t.baseUrl, null, 'GET', `/api/review/${link.token}/assets/${referenceId}/file`)).status, 404);
    const ranged = await fetch(`${t.baseUrl}/api/review/${link.token}/assets/${mixId}/file`, { headers: { Range: 'bytes=0-99' } });
    assert.equal(ranged.status, 206);
    assert.equal((await ranged.arrayBuffer()).byteLength, 100);

    const member = await openSocket(t.baseUrl, engineer);
    const guest = await openSocket(t.baseUrl, { shareToken: link.token, guestName: 'Gina Guest' });
    sockets.push(member, guest);
    await joinTrack(member, projectId, trackId);
    const joinAsGuest = (await guest.timeout(5000).emitWithAck('project:join', { projectId })) as { ok: boolean; status: number };
    assert.deepEqual([joinAsGuest.ok, joinAsGuest.status], [false, 403], 'guests never join project rooms');

    const memberSees = nextEvent(member, 'comment:upserted', (p) => p.comment.guestName === 'Gina Guest');
    const posted = await call(t.baseUrl, null, 'POST', `/api/review/${link.token}/comments`, {
      guestName: 'Gina Guest',
      assetId: masterId,
      body: 'Love the low end at 1:02',
      timeSeconds: 0.5,
      clientKey: 'guest-key-0001',
    });
    assert.equal(posted.status, 201, posted.text);
    assert.equal(posted.json.author, null);
    assert.equal(posted.json.guestName, 'Gina Guest');
    await memberSees;
    const retried = await call(t.baseUrl, null, 'POST', `/api/review/${link.token}/comments`, {
      guestName: 'Gina Guest', assetId: masterId, body: 'Love the low end at 1:02', timeSeconds: 0.5, clientKey: 'guest-key-0001',
    });
    assert.deepEqual([retried.status, retried.json.id], [200, posted.json.id]);
    const ownerNotes = await call(t.baseUrl, owner, 'GET', '/api/notifications');
    assert.ok(ownerNotes.json.items.some((n: { text: string }) => /Gina Guest \(guest\) commented/.test(n.text)));

    const guestSees = nextEvent(guest, 'comment:upserted', (p) => p.comment.body === 'Thanks, noted');
    await call(t.baseUrl, engineer, 'POST', `/api/tracks/${trackId}/comments`, { assetId: masterId, body: 'Thanks, noted', parentId: posted.json.id });
    await guestSees;
    // Chat and approvals stay among members.
    let chatLeak = false;
    guest.on('chat:upserted', () => (chatLeak = true));
    const memberChat = nextEvent(member, 'chat:upserted');
    await call(t.baseUrl, engineer, 'POST', `/api/tracks/${trackId}/chat`, { body: 'members only' });
    await memberChat;
    assert.equal(chatLeak, false);

    const noName = await call(t.baseUrl, null, 'POST', `/api/review/${link.token}/comments`, { assetId: masterId, body: 'anon' });
    assert.equal(noName.status, 400);
    assert.match(noName.json.error, /name/);
    const otherTrack = (await call(t.baseUrl, owner, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Other' })).json.id;
    const otherMix = (await tusUpload(t.baseUrl, owner, makeWav(0.2), { trackId: otherTrack, kind: 'mix', filename: 'o.wav' })).assetId!;
    const wrongTrack = await call(t.baseUrl, null, 'POST', `/api/review/${link.token}/comments`, { guestName: 'G', assetId: otherMix, body: 'x' });
    assert.equal(wrongTrack.status, 404, 'a link is for its one track only');
  });

  test('a guest cannot download unless the owner allowed it', async () => {
    const closed = await createLink();
    const listClosed = await call(t.baseUrl, null, 'GET', `/api/review/${closed.token}/assets/${masterId}/deliveries`);
    assert.equal(listClosed.status, 403);
    assert.equal((await fetch(`${t.baseUrl}/downloads/review/${closed.token}/exports/${deliveryId}`)).status, 403);
    assert.equal((await fetch(`${t.baseUrl}/api/review/${closed.token}/assets/${mixId}/file?download=1`)).headers.get('content-disposition'), 'inline');

    const open = await createLink({ allowDownload: true });
    const list = await call(t.baseUrl, null, 'GET', `/api/review/${open.token}/assets/${masterId}/deliveries`);
    assert.equal(list.status, 200);
    const delivery = list.json.deliveries.find((d: { id: string }) => d.id === deliveryId);
    assert.equal(delivery.downloadPath, `/downloads/review/${open.token}/exports/${deliveryId}`);
    const res = await fetch(`${t.baseUrl}${delivery.downloadPath}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(makeWav(0.4).length));
    await res.arrayBuffer();
  });

  test('revoking a link stops it at once: requests fail and the open socket is disconnected', async () => {
    const link = await createLink();
    const member = await openSocket(t.baseUrl, owner);
    sockets.push(member);
    await joinTrack(member, projectId, trackId);
    const guestArrives = nextEvent(member, 'presence:changed', (p) => p.people.some((x: { name: string; kind: string }) => x.name === 'Rita Revoked' && x.kind === 'guest'));
    const guest = await openSocket(t.baseUrl, { shareToken: link.token, guestName: 'Rita Revoked' });
    sockets.push(guest);
    await guestArrives;
    assert.equal((await call(t.baseUrl, null, 'GET', `/api/review/${link.token}`)).status, 200);

    const disconnected = new Promise<string>((resolve) => guest.once('disconnect', (reason) => resolve(reason)));
    const guestLeaves = nextEvent(member, 'presence:changed', (p) => !p.people.some((x: { name: string }) => x.name === 'Rita Revoked'));
    const revoked = await call(t.baseUrl, owner, 'DELETE', `/api/share-links/${link.id}`);
    assert.equal(revoked.status, 200);
    assert.ok(revoked.json.revokedAt);
    assert.equal(await disconnected, 'io server disconnect');
    await guestLeaves;

    let leaked = false;
    guest.on('comment:upserted', () => (leaked = true));
    const r = await call(t.baseUrl, null, 'GET', `/api/review/${link.token}`);
    assert.equal(r.status, 404);
    assert.match(r.json.error, /not valid/);
    assert.equal((await call(t.baseUrl, null, 'POST', `/api/review/${link.token}/comments`, { guestName: 'Rita', assetId: mixId, body: 'still here?' })).status, 404);
    assert.equal((await fetch(`${t.baseUrl}/api/review/${link.token}/assets/${mixId}/file`)).status, 404);
    await assert.rejects(openSocket(t.baseUrl, { shareToken: link.token, guestName: 'Rita Revoked' }), /unauthorized/);
    const memberSees = nextEvent(member, 'comment:upserted');
    await call(t.baseUrl, owner, 'POST', `/api/tracks/${trackId}/comments`, { assetId: mixId, body: 'after revoke' });
    await memberSees;
    assert.equal(leaked, false);
    assert.equal((await call(t.baseUrl, engineer, 'DELETE', `/api/share-links/${link.id}`)).status, 403);
  });

  test('an expired link is refused, and its open socket is closed when it expires', async () => {
    const link = await createLink({ expiresInHours: 1.5 / 3600 });
    const guest = await openSocket(t.baseUrl, { shareToken: link.token, guestName: 'Eve Expiring' });
    sockets.push(guest);
    const closed = new Promise<string>((resolve) => guest.once('disconnect', (reason) => resolve(reason)));
    assert.equal(await closed, 'io server disconnect');
    assert.equal((await call(t.baseUrl, null, 'GET', `/api/review/${link.token}`)).status, 404);
    for (const bad of ['short', 'x'.repeat(300), '../../etc/passwd', 'A'.repeat(43)]) {
      const r = await call(t.baseUrl, null, 'GET', `/api/review/${encodeURIComponent(bad)}`);
      assert.equal(r.status, 404, bad);
    }
  });
});
