// The whole flow in a real browser against a production build: sign up, create a project and a track, upload a WAV
// by the file picker (tus), watch the progress bar and then the format facts, sign out; another user cannot open it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { repoRoot } from '../server/productionBuild';
import { launchChromium } from './helpers/browser';
import { startTestServer, type TestServer } from './helpers/testServer';
import { makeWav } from './helpers/webClient';

const SHOTS = path.join(repoRoot, 'test-results');
let t: TestServer;
let browser: Browser;

before(async () => {
  t = await startTestServer();
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await t?.stop();
});

test('sign up, create a project, upload a WAV with progress and facts, sign out; strangers get 404', async () => {
  const context = await browser.newContext({ baseURL: t.baseUrl });
  const page = await context.newPage();
  await page.goto('/signup');
  await page.getByLabel('Name').fill('Ada Artist');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/projects');
  await page.getByPlaceholder(/New project name/).fill('Night Drive EP');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(/\/projects\/[a-z0-9]+$/);
  const projectUrl = page.url();
  assert.equal(await page.getByTestId('project-name').textContent(), 'Night Drive EP');
  await page.getByText('Live', { exact: true }).waitFor();

  await page.getByPlaceholder('Track title').fill('Headlights');
  await page.getByRole('button', { name: 'Add track' }).click();
  const track = page.getByTestId('track').filter({ hasText: 'Headlights' });
  await track.waitFor();

  const wav = Buffer.from(makeWav(3, 44100, 2));
  await track.locator('input[type=file]').setInputFiles({ name: 'headlights mix.wav', mimeType: 'audio/wav', buffer: wav });
  await track.getByTestId('upload-progress').waitFor();
  const asset = track.getByTestId('asset-row').first();
  await asset.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=upload-progress]')?.getAttribute('aria-valuenow') === '100');
  const facts = await asset.getByTestId('asset-facts').textContent();
  assert.match(facts!, /wav/);
  assert.match(facts!, /44\.1 kHz/);
  assert.match(facts!, /stereo/);
  assert.match(facts!, /16-bit/);
  assert.match(facts!, /0:03\.0/);
  assert.match((await asset.textContent())!, /Mix v1/);
  await page.screenshot({ path: path.join(SHOTS, 'project-after-upload.png'), fullPage: true });

  // Drag and drop: a file dropped on the track's drop zone becomes the next mix version.
  const dropped = [...Buffer.from(makeWav(0.5, 48000, 1))];
  const dataTransfer = await page.evaluateHandle((bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], 'headlights mix 2.wav', { type: 'audio/wav' }));
    return dt;
  }, dropped);
  await track.locator('.dropzone').dispatchEvent('dragover', { dataTransfer });
  await track.locator('.dropzone').dispatchEvent('drop', { dataTransfer });
  const second = track.getByTestId('asset-row').filter({ hasText: 'Mix v2' });
  await second.waitFor();
  assert.match((await second.getByTestId('asset-facts').textContent())!, /48 kHz.*mono|mono.*48 kHz/s);

  // A text file renamed .wav is refused in the browser with the reason.
  await track.locator('input[type=file]').setInputFiles({ name: 'notes.wav', mimeType: 'audio/wav', buffer: Buffer.from('just text\n'.repeat(10000)) });
  await track.getByRole('alert').filter({ hasText: /not an audio file/ }).waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await page.goto(projectUrl);
  await page.waitForURL('**/signin');
  await context.close();

  const stranger = await browser.newContext({ baseURL: t.baseUrl });
  const other = await stranger.newPage();
  await other.goto('/signup');
  await other.getByLabel('Name').fill('Sam Stranger');
  await other.getByLabel('Email').fill('sam@example.com');
  await other.getByLabel('Password').fill('another long password');
  await other.getByRole('button', { name: 'Create account' }).click();
  await other.waitForURL('**/projects');
  const response = await other.goto(projectUrl);
  assert.equal(response?.status(), 404);
  await other.getByRole('heading', { name: 'Not found' }).waitFor();
  assert.equal(await other.getByText('Night Drive EP').count(), 0);
  await other.screenshot({ path: path.join(SHOTS, 'stranger-404.png'), fullPage: true });
  await stranger.close();
});
