// What every browser test and the review-room speed measurement share: Debian's Chromium launched the way these
// machines need it (no downloaded browser; background networking off, since the network is closed), contexts signed
// in as a user, and the live-comment latency figure.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { WebUser } from './webClient';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** A context on the app, signed in as `user` (its session cookie), or signed out with null. */
export async function signedInContext(browser: Browser, baseUrl: string, user: WebUser | null, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1400, height: 1000 }, ...options });
  if (user) {
    const [name, value] = user.cookie.split(/=(.*)/s);
    await context.addCookies([{ name, value, url: baseUrl }]);
  }
  return context;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * `count` comments posted from `sender`'s page (the same API call the comment form makes), each timed until it renders
 * in `receiver`'s page (a MutationObserver stamps it there). Returns the latencies in ms, in order.
 */
export async function commentLatencies(
  sender: Page,
  receiver: Page,
  target: { trackId: string; assetId: string },
  count: number,
  timeSecondsOf: (i: number) => number,
): Promise<number[]> {
  await receiver.evaluate(() => {
    const w = window as unknown as { __seen: Record<string, number> };
    w.__seen = {};
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid=comment-body]')) {
        const m = /^latency #(\d+)$/.exec(el.textContent ?? '');
        if (m && !(m[1] in w.__seen)) w.__seen[m[1]] = Date.now();
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  const sentAt: number[] = [];
  for (let i = 0; i < count; i++) {
    sentAt.push(
      await sender.evaluate(
        async ({ i, trackId, assetId, timeSeconds }) => {
          const at = Date.now();
          await fetch(`/api/tracks/${trackId}/comments`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ assetId, body: `latency #${i}`, timeSeconds }),
          });
          return at;
        },
        { i, ...target, timeSeconds: timeSecondsOf(i) },
      ),
    );
    await receiver.waitForFunction((i) => String(i) in (window as unknown as { __seen: Record<string, number> }).__seen, i);
  }
  const seen = await receiver.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen);
  return sentAt.map((at, i) => seen[String(i)] - at);
}
