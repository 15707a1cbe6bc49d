// The review room's hands-on parts in real browsers (production build, real job worker, no master render needed):
// the live meter reads the source you hear; a click on the waveform pins the next comment's time (even while the
// music plays on), a drag makes a range comment; markers show on the other browser's waveform and a click on a
// comment or a marker seeks there and plays; edit/delete own, resolve/reopen live; a mention notification links to
// its comment and is read by following it; a new version reaches the bell and the version stack without reload;
// on a slow line playback starts long before the file has arrived (Range requests).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { jobHandlers } from '../workers/handlers';
import { startWorker, type WorkerHandle } from '../workers/runner';
import { repoRoot } from '../server/productionBuild';
import { launchChromium, signedInContext } from './helpers/browser';
import { synthWav, waitForReview } from './helpers/reviewFixtures';
import { startTestServer, type TestServer } from './helpers/testServer';
import { call, signUp, tusUpload, type WebUser } from './helpers/webClient';

const SHOTS = path.join(repoRoot, 'test-results');
const MIX_SECONDS = 30;
/** Shorter than the mix, as references usually are. */
const REF_SECONDS = 20;
let t: TestServer;
let worker: WorkerHandle;
let browser: Browser;
let owner: WebUser;
let artist: WebUser;
let projectId: string;
let trackId: string;
let trackUrl: string;
const lufs: Record<'mix' | 'reference', number> = { mix: 0, reference: 0 };

const contextFor = (user: WebUser): Promise<BrowserContext> => signedInContext(browser, t.baseUrl, user);

/** The audible <audio> element's state, read in the page. */
function activeAudio(page: Page) {
  return page.evaluate(() => {
    const a = document.querySelector<HTMLAudioElement>('[data-testid=audio-sources] audio[data-active=true]')!;
    return { currentTime: a.currentTime, paused: a.paused, bufferedEnd: a.buffered.length ? a.buffered.end(a.buffered.length - 1) : 0, duration: a.duration };
  });
}

async function meterValue(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).getAttribute('data-value'));
}

/** Clicks (or drags between) fractions of the waveform's width. */
async function onWaveform(page: Page, from: number, to?: number) {
  await page.getByTestId('waveform').scrollIntoViewIfNeeded();
  const box = (await page.getByTestId('waveform').boundingBox())!;
  const y = box.y + box.height / 2;
  if (to === undefined) return page.mouse.click(box.x + box.width * from, y);
  await page.mouse.move(box.x + box.width * from, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to, y, { steps: 10 });
  await page.mouse.up();
}

const thread = (page: Page, text: string) => page.getByTestId('comment-thread').filter({ hasText: text });

function seconds(timecode: string): number {
  const m = /(\d+):(\d+(?:\.\d+)?)/.exec(timecode)!;
  return Number(m[1]) * 60 + Number(m[2]);
}

before(async () => {
  t = await startTestServer();
  worker = await startWorker(jobHandlers);
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  owner = await signUp(t.baseUrl, 'olive@example.com', 'Olive Owner');
  artist = await signUp(t.baseUrl, 'ari@example.com', 'Ari Artist');
  projectId = (await call(t.baseUrl, owner, 'POST', '/api/projects', { name: 'Night Drive EP' })).json.id;
  await call(t.baseUrl, owner, 'POST', `/api/projects/${projectId}/members`, { email: artist.email, role: 'artist' });
  trackId = (await call(t.baseUrl, owner, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Headlights' })).json.id;
  await tusUpload(t.baseUrl, owner, synthWav(MIX_SECONDS, { seed: 3, gain: 0.35 }), { trackId, kind: 'mix', filename: 'mix.wav' });
  await tusUpload(t.baseUrl, owner, synthWav(REF_SECONDS, { seed: 11, gain: 1.1 }), { trackId, kind: 'reference', filename: 'ref.wav' });
  const r = await waitForReview(t.baseUrl, owner, trackId, (x) => x.versions.length === 2 && x.versions.every((v) => v.status === 'ready'));
  lufs.mix = r.versions.find((v) => v.kind === 'mix')!.measurements!.integratedLufs!;
  lufs.reference = r.versions.find((v) => v.kind === 'reference')!.measurements!.integratedLufs!;
  trackUrl = `/projects/${projectId}/tracks/${trackId}`;
});

after(async () => {
  await browser?.close();
  await worker?.stop();
  await t?.stop();
});

test('meter, click/drag comments, markers, seek-and-play, edit/delete/resolve live, notification links, new version live', async () => {
  const ownCtx = await contextFor(owner);
  const artCtx = await contextFor(artist);
  const own = await ownCtx.newPage();
  const art = await artCtx.newPage();
  const scriptErrors: string[] = [];
  for (const p of [own, art]) {
    p.on('pageerror', (e) => scriptErrors.push(e.message));
    p.on('dialog', (d) => void d.accept());
    await p.goto(trackUrl);
    await p.locator('[data-testid=player][data-ready=true]').waitFor();
    await p.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor();
  }

  // The live meter reads the source heard, at its own level: the reference is ~10 LU louder than the mix even though
  // the loudness-matched comparison plays both at the same level.
  await art.getByTestId('play').click();
  await art.waitForTimeout(3500);
  const mixMomentary = await meterValue(art, 'meter-momentary');
  const mixShortTerm = await meterValue(art, 'meter-short-term');
  await art.keyboard.press('2');
  await art.waitForTimeout(3500);
  const refMomentary = await meterValue(art, 'meter-momentary');
  const refShortTerm = await meterValue(art, 'meter-short-term');
  const refPeak = await meterValue(art, 'meter-peak-left');
  console.log(
    `# live meter: mix M ${mixMomentary.toFixed(1)} / S ${mixShortTerm.toFixed(1)} LUFS (integrated ${lufs.mix.toFixed(1)}), reference M ${refMomentary.toFixed(1)} / S ${refShortTerm.toFixed(1)} (integrated ${lufs.reference.toFixed(1)}), reference peak L ${refPeak.toFixed(1)} dBFS`,
  );
  assert.ok(Math.abs(mixShortTerm - lufs.mix) < 2, `mix short-term ${mixShortTerm} vs integrated ${lufs.mix}`);
  assert.ok(Math.abs(refShortTerm - lufs.reference) < 2, `reference short-term ${refShortTerm} vs integrated ${lufs.reference}`);
  assert.ok(Math.abs(refMomentary - lufs.reference) < 6, `reference momentary ${refMomentary} (a 400 ms window moves with the music)`);
  assert.ok(refPeak < 0 && refPeak > lufs.reference, `reference sample peak ${refPeak} dBFS`);
  await art.keyboard.press('1');

  // ←/→ step 5 s (Shift: 1 s) on every source, paused or playing.
  await art.keyboard.press('Space');
  await art.waitForFunction(() => [...document.querySelectorAll<HTMLAudioElement>('[data-testid=audio-sources] audio')].every((a) => a.paused));
  const t0 = (await activeAudio(art)).currentTime;
  const allAt = (at: number) =>
    art.waitForFunction((at) => [...document.querySelectorAll<HTMLAudioElement>('[data-testid=audio-sources] audio')].every((a) => Math.abs(a.currentTime - at) < 0.05), at);
  await art.keyboard.press('ArrowRight');
  await allAt(t0 + 5);
  await art.keyboard.press('Shift+ArrowLeft');
  await allAt(t0 + 4);
  await art.keyboard.press('ArrowLeft');
  await allAt(t0 - 1);
  await art.keyboard.press('Space');

  // Past the end of the shorter reference, switching to it neither stops nor rewinds: it is silent there while the
  // time runs on, and switching back to the mix lands where the time has got to.
  const [mixSource, refSource] = await Promise.all([0, 1].map((i) => art.getByTestId('source-button').nth(i).getAttribute('data-asset-id')));
  const element = (id: string | null) =>
    art.evaluate((id) => {
      const a = document.querySelector<HTMLAudioElement>(`[data-testid=audio-sources] audio[data-source-id="${id}"]`)!;
      return { currentTime: a.currentTime, paused: a.paused };
    }, id);
  await onWaveform(art, 0.75);
  await art.keyboard.press('2');
  await art.waitForTimeout(1000);
  const mixWhileRef = await element(mixSource);
  assert.equal(await art.getByTestId('play').getAttribute('aria-label'), 'Pause', 'still playing');
  assert.ok(!mixWhileRef.paused && mixWhileRef.currentTime > 23, `the time ran on: ${mixWhileRef.currentTime}`);
  assert.ok((await element(refSource)).currentTime <= REF_SECONDS + 0.05);
  await art.keyboard.press('1');
  assert.ok((await element(mixSource)).currentTime >= mixWhileRef.currentTime, 'no rewind on the way back');
  assert.ok(!(await element(mixSource)).paused);

  // A click on the waveform pins the next comment at that time; it stays there while the music plays on and the
  // comment is typed.
  await onWaveform(art, 0.5);
  const form = art.getByTestId('comments-panel');
  // Read once the form has taken the click (it shows the pinned state), not the playhead it followed a moment before.
  await form.getByTitle('Let the time follow the playhead again').waitFor();
  const clicked = seconds(await form.getByLabel('Comment time').inputValue());
  assert.ok(Math.abs(clicked - MIX_SECONDS / 2) < 0.4, `clicked at ${clicked} s`);
  assert.ok(!(await activeAudio(art)).paused, 'still playing');
  await form.getByLabel('New comment').pressSequentially('Vocal sits too low here', { delay: 30 });
  await art.waitForTimeout(1200);
  assert.equal(seconds(await form.getByLabel('Comment time').inputValue()), clicked, 'the time stayed where the click was');
  await form.getByRole('button', { name: 'Comment', exact: true }).click();
  await art.keyboard.press('Space');
  // The time field follows the playhead again after sending.
  await art.waitForFunction(() => (document.querySelector<HTMLInputElement>('[aria-label="Comment time"]')?.value ?? '') !== '');
  // The owner sees it live, with a marker on the waveform at that spot.
  const ownThread = thread(own, 'Vocal sits too low here');
  await ownThread.waitFor();
  assert.equal(seconds((await ownThread.getByTestId('comment-time').textContent())!), clicked);
  const commentId = await ownThread.getAttribute('data-comment-id');
  const marker = own.getByTestId('waveform').locator(`.wave-marker-label[data-comment-id="${commentId}"]`);
  await marker.waitFor();
  const wave = (await own.getByTestId('waveform').boundingBox())!;
  const markerBox = (await marker.boundingBox())!;
  assert.ok(Math.abs((markerBox.x - wave.x) / wave.width - clicked / MIX_SECONDS) < 0.02, 'marker drawn at the comment time');
  assert.equal(await marker.getAttribute('title'), 'Ari Artist: Vocal sits too low here');

  // A drag makes a range comment. The form takes the range when React next renders, after the mouse is up: wait
  // for it, or the two fields can be read on either side of that render (start still following the playhead).
  await onWaveform(art, 0.2, 0.4);
  await art.waitForFunction(() => (document.querySelector<HTMLInputElement>('[aria-label="Comment end time"]')?.value ?? '') !== '');
  const dragged = [await form.getByLabel('Comment time').inputValue(), await form.getByLabel('Comment end time').inputValue()];
  assert.ok(Math.abs(seconds(dragged[0]) - 6) < 0.4 && Math.abs(seconds(dragged[1]) - 12) < 0.4, `dragged ${dragged.join('–')}`);
  await form.getByLabel('New comment').fill('Build-up feels flat');
  await form.getByRole('button', { name: 'Comment', exact: true }).click();
  const rangeChip = (await thread(own, 'Build-up feels flat').getByTestId('comment-time').textContent())!;
  assert.match(rangeChip, /▶ 0:0[56]\.\d–0:1[12]\.\d/);

  // Clicking a comment's time seeks there and plays (in the other browser); so does clicking a marker.
  await ownThread.getByTestId('comment-time').click();
  await own.waitForFunction(() => {
    const a = document.querySelector<HTMLAudioElement>('[data-testid=audio-sources] audio[data-active=true]')!;
    return !a.paused && a.currentTime > 0;
  });
  const afterChip = await activeAudio(own);
  assert.ok(afterChip.currentTime >= clicked - 0.1 && afterChip.currentTime < clicked + 2, `playing from ${afterChip.currentTime}`);
  await own.keyboard.press('Space');
  await onWaveform(own, 0.05);
  await marker.click();
  await own.waitForFunction((at) => {
    const a = document.querySelector<HTMLAudioElement>('[data-testid=audio-sources] audio[data-active=true]')!;
    return !a.paused && Math.abs(a.currentTime - at) < 1.5;
  }, clicked);
  await own.keyboard.press('Space');

  // Edit own (live in the other browser), no edit of someone else's, delete own, resolve and reopen.
  const artThread = thread(art, 'Vocal sits too low here');
  assert.equal(await thread(own, 'Vocal sits too low here').getByRole('button', { name: 'Edit' }).count(), 0, "no edit of someone else's comment");
  await artThread.getByRole('button', { name: 'Edit' }).click();
  await artThread.getByLabel('Edit comment').fill('Vocal sits too low here, from the second line');
  await artThread.getByRole('button', { name: 'Save' }).click();
  await thread(own, 'from the second line').filter({ hasText: 'edited' }).waitFor();
  await thread(art, 'Build-up feels flat').getByRole('button', { name: 'Delete' }).click();
  await thread(own, 'Build-up feels flat').waitFor({ state: 'detached' });
  await thread(own, 'from the second line').getByRole('button', { name: 'Resolve' }).click();
  await thread(art, 'from the second line').getByTestId('resolved-badge').waitFor();
  await thread(own, 'from the second line').getByRole('button', { name: 'Reopen' }).click();
  await thread(art, 'from the second line').getByTestId('resolved-badge').waitFor({ state: 'detached' });

  // A mention notification links to its comment: following it opens the thread marked and reads the notification.
  const unread = async () => Number((await art.getByTestId('unread-count').textContent().catch(() => '0')) || 0);
  const before = await unread();
  const mention = await call(t.baseUrl, owner, 'POST', `/api/tracks/${trackId}/comments`, { assetId: (await art.getByTestId('source-button').first().getAttribute('data-asset-id'))!, body: '@Ari Artist listen to the fade', timeSeconds: 25 });
  assert.equal(mention.status, 201);
  await art.waitForFunction((n) => Number(document.querySelector('[data-testid=unread-count]')?.textContent ?? 0) > n, before);
  await art.getByRole('button', { name: /Notifications/ }).click();
  await art.getByTestId('notification').filter({ hasText: 'mentioned you' }).first().getByRole('link').click();
  await art.waitForURL(`**?comment=${mention.json.id}`);
  await art.locator(`[data-testid=comment-thread][data-comment-id="${mention.json.id}"].linked`).waitFor();
  await art.screenshot({ path: path.join(SHOTS, 'review-linked-comment.png'), fullPage: true });
  await art.waitForFunction((n) => Number(document.querySelector('[data-testid=unread-count]')?.textContent ?? 0) === n, before);

  // A new version reaches the other member's bell and version stack without a reload.
  const unreadBeforeVersion = await unread();
  await tusUpload(t.baseUrl, owner, synthWav(MIX_SECONDS, { seed: 5, gain: 0.4 }), { trackId, kind: 'mix', filename: 'mix v2.wav' });
  await art.getByTestId('version-row').filter({ hasText: 'Mix v2' }).waitFor();
  await art.waitForFunction((n) => Number(document.querySelector('[data-testid=unread-count]')?.textContent ?? 0) > n, unreadBeforeVersion);
  await art.getByRole('button', { name: /Notifications/ }).click();
  await art.getByTestId('notification').filter({ hasText: 'uploaded Mix v2' }).waitFor();

  assert.deepEqual(scriptErrors, []);
  await ownCtx.close();
  await artCtx.close();
});

test('on a slow line, playback starts long before the file has arrived (Range requests)', async () => {
  const ctx = await contextFor(artist);
  const page = await ctx.newPage();
  const audioResponses: { status: number; range: string | undefined }[] = [];
  page.on('response', (r) => {
    if (/\/api\/assets\/[^/]+\/file/.test(r.url())) audioResponses.push({ status: r.status(), range: r.request().headers()['range'] });
  });
  await page.goto(trackUrl);
  await page.locator('[data-testid=player][data-ready=true]').waitFor();
  // ~2 Mbit/s: the 30 s 16-bit stereo mix (5.3 MB) takes over 20 s to arrive; the reference loads beside it.
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: 250_000, uploadThroughput: 250_000 });
  await page.reload();
  await page.locator('[data-testid=player][data-ready=true]').waitFor({ timeout: 60_000 });
  const startedAt = Date.now();
  await page.getByTestId('play').click();
  await page.waitForFunction(() => {
    const a = document.querySelector<HTMLAudioElement>('[data-testid=audio-sources] audio[data-active=true]')!;
    return !a.paused && a.currentTime > 1;
  }, undefined, { timeout: 30_000 });
  const state = await activeAudio(page);
  console.log(`# slow line: playing ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the click with ${state.bufferedEnd.toFixed(1)} of ${state.duration.toFixed(1)} s buffered`);
  assert.ok(state.bufferedEnd < state.duration - 5, `still downloading while playing (${state.bufferedEnd} of ${state.duration} s buffered)`);
  assert.ok(audioResponses.some((r) => r.range?.startsWith('bytes=') && r.status === 206), `Range requests answered with 206: ${JSON.stringify(audioResponses)}`);
  await ctx.close();
});
