// The review room's speed bars on real music, measured (not asserted): track page interactive on a warm server,
// a comment reaching the other browser (p95 over 50), and A/B switching (playhead delta and audio re-fetched).
// Run: MASTERING_CORPUS_DIR=.corpus/tracks node --import tsx tests/measure/reviewSpeed.ts
// (two corpus tracks become a 16-bit WAV mix and reference; without the corpus, 240 s of synthesized material).
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { decodeAudio } from '../../lib/audio/decode/decode';
import { encodedBytes } from '../../lib/audio/encode/encodedAudio';
import { encodeWav } from '../../lib/audio/encode/wav';
import { jobHandlers } from '../../workers/handlers';
import { startWorker } from '../../workers/runner';
import { repoRoot } from '../../server/productionBuild';
import { commentLatencies, launchChromium, percentile, signedInContext } from '../helpers/browser';
import { synthWav, waitForReview } from '../helpers/reviewFixtures';
import { startTestServer } from '../helpers/testServer';
import { call, signUp, tusUpload } from '../helpers/webClient';

const corpus = process.env.MASTERING_CORPUS_DIR ?? path.join(repoRoot, '.corpus/tracks');

async function wavOf(name: string, fallbackSeed: number): Promise<{ bytes: Uint8Array; label: string }> {
  const file = path.join(corpus, name);
  if (!fs.existsSync(file)) return { bytes: synthWav(240, { seed: fallbackSeed, gain: 0.5 }), label: `synth 240 s #${fallbackSeed}` };
  const pcm = await decodeAudio(new Uint8Array(fs.readFileSync(file)));
  return { bytes: encodedBytes(encodeWav(pcm, { bitDepth: 16, dither: 'tpdf', seed: 1 })), label: `${name} (${(pcm.channels[0].length / pcm.sampleRate).toFixed(0)} s)` };
}

const t = await startTestServer();
const worker = await startWorker(jobHandlers);
const browser = await launchChromium();
try {
  const engineer = await signUp(t.baseUrl, 'erin@example.com', 'Erin Engineer');
  const artist = await signUp(t.baseUrl, 'ari@example.com', 'Ari Artist');
  const projectId = (await call(t.baseUrl, engineer, 'POST', '/api/projects', { name: 'Speed' })).json.id;
  await call(t.baseUrl, engineer, 'POST', `/api/projects/${projectId}/members`, { email: artist.email, role: 'artist' });
  const trackId = (await call(t.baseUrl, engineer, 'POST', `/api/projects/${projectId}/tracks`, { title: 'Wanderer' })).json.id;
  const mix = await wavOf('wesnoth_wanderer.ogg', 3);
  const ref = await wavOf('wesnoth_king_is_dead.ogg', 11);
  const mixId = (await tusUpload(t.baseUrl, engineer, mix.bytes, { trackId, kind: 'mix', filename: 'mix.wav' })).assetId!;
  await tusUpload(t.baseUrl, engineer, ref.bytes, { trackId, kind: 'reference', filename: 'ref.wav' });
  await waitForReview(t.baseUrl, engineer, trackId, (r) => r.versions.length === 2 && r.versions.every((v) => v.status === 'ready'), 600_000);
  console.log(`material: mix ${mix.label}, ${(mix.bytes.length / 1e6).toFixed(1)} MB; reference ${ref.label}, ${(ref.bytes.length / 1e6).toFixed(1)} MB`);
  const trackUrl = `${t.baseUrl}/projects/${projectId}/tracks/${trackId}`;

  const contextFor = (user: typeof engineer) => signedInContext(browser, t.baseUrl, user);
  const eng = await (await contextFor(engineer)).newPage();
  const art = await (await contextFor(artist)).newPage();

  // 1. Interactive: navigation start -> waveform drawn from server peaks and transport usable, after a warm-up visit.
  await art.goto(trackUrl);
  await art.locator('[data-testid=player][data-ready=true]').waitFor();
  const ready: number[] = [];
  const dcl: number[] = [];
  for (let i = 0; i < 7; i++) {
    await art.goto(trackUrl);
    await art.locator('[data-testid=player][data-ready=true]').waitFor();
    ready.push(Number(await art.evaluate(() => document.documentElement.dataset.playerReadyMs)));
    dcl.push(await art.evaluate(() => Math.round((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd)));
  }
  console.log(`interactive (nav start -> waveform drawn), 7 warm loads: ${ready.join(', ')} ms; median ${percentile(ready, 50)}, max ${Math.max(...ready)} (DOMContentLoaded median ${percentile(dcl, 50)} ms)`);

  // 2. Comment latency to the other browser.
  await eng.goto(trackUrl);
  for (const p of [eng, art]) await p.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor();
  const latencies = await commentLatencies(art, eng, { trackId, assetId: mixId }, 50, (i) => i);
  console.log(`comment latency to the other browser over 50: p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, max ${Math.max(...latencies)} ms`);

  // 3. A/B: play, let both sources buffer ahead, then switch 20 times; count audio requests and re-fetches (a Range
  // starting below what that source had already buffered: WAV bytes are linear in time).
  await art.reload();
  await art.locator('[data-testid=player][data-ready=true]').waitFor();
  const sources = await art.evaluate(() =>
    Object.fromEntries([...document.querySelectorAll<HTMLAudioElement>('[data-testid=audio-sources] audio')].map((a) => [new URL(a.src).pathname, a.dataset.sourceId])),
  );
  const buffered = async (p: Page) =>
    p.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll<HTMLAudioElement>('[data-testid=audio-sources] audio')].map((a) => [a.dataset.sourceId, a.buffered.length ? a.buffered.end(a.buffered.length - 1) : 0]),
      ),
    );
  const requests: { url: string; range: string }[] = [];
  art.on('request', (r) => {
    if (/\/api\/assets\/[^/]+\/file/.test(r.url())) requests.push({ url: new URL(r.url()).pathname, range: r.headers()['range'] ?? '' });
  });
  await art.getByTestId('play').click();
  await art.waitForFunction(() => [...document.querySelectorAll<HTMLAudioElement>('[data-testid=audio-sources] audio')].every((a) => !a.paused && a.buffered.length > 0 && a.buffered.end(a.buffered.length - 1) > a.currentTime + 20), undefined, { timeout: 120_000 });
  const bufferedBefore = await buffered(art);
  const before = requests.length;
  const deltas: number[] = [];
  for (let i = 0; i < 20; i++) {
    const step = await art.evaluate((k) => {
      const selector = '[data-testid=audio-sources] audio[data-active=true]';
      const t0 = document.querySelector<HTMLAudioElement>(selector)!.currentTime;
      window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
      return Math.abs(document.querySelector<HTMLAudioElement>(selector)!.currentTime - t0) * 1000;
    }, i % 2 ? '1' : '2');
    deltas.push(step);
    await art.waitForTimeout(300);
  }
  const during = requests.slice(before);
  const byteRate = 44100 * 2 * 2;
  const refetches = during.filter((r) => {
    const start = Number(/bytes=(\d+)-/.exec(r.range)?.[1] ?? 0);
    return start < (bufferedBefore[sources[r.url]!] ?? 0) * byteRate;
  });
  // The live meter against the analysis: short-term loudness of the mix where the playhead is now.
  const reviewNow = (await call(t.baseUrl, engineer, 'GET', `/api/tracks/${trackId}/review`)).json;
  const curve = reviewNow.versions.find((v: { id: string }) => v.id === mixId).loudnessCurve as { hopSeconds: number; lufs: (number | null)[] };
  for (let i = 0; i < 3; i++) {
    await art.waitForTimeout(4000);
    const at = await art.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid=audio-sources] audio[data-active=true]')!.currentTime);
    const meterS = Number(await art.getByTestId('meter-short-term').getAttribute('data-value'));
    const analysed = curve.lufs[Math.min(curve.lufs.length - 1, Math.round((at - 1.5) / curve.hopSeconds))];
    console.log(`live meter at ${at.toFixed(1)} s: short-term ${meterS.toFixed(1)} LUFS, analysis short-term there ${analysed?.toFixed(1)} LUFS`);
  }
  await art.getByTestId('waveform').scrollIntoViewIfNeeded();
  fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
  await art.screenshot({ path: path.join(repoRoot, 'test-results', 'review-real-music.png'), fullPage: true });
  console.log(`A/B: 20 switches over ${(20 * 0.3).toFixed(0)} s of play: playhead delta max ${Math.max(...deltas).toFixed(1)} ms; ${during.length} audio requests meanwhile (streaming on ahead), ${refetches.length} re-fetching audio already buffered`);
} finally {
  await browser.close();
  await worker.stop();
  await t.stop();
}
process.exit(0);
