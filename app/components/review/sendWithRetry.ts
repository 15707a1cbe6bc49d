/** How a send ended: sent (with the server's JSON), or given up with a message the user can act on. */
export type SendOutcome<T> = { ok: true; data: T } | { ok: false; error: string; retryable: boolean };

const BACKOFF_MS = [500, 1000, 2000, 4000];

/** A random idempotency key for one send; every retry of that send reuses it. */
export function newClientKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * POSTs JSON, retrying network failures and 5xx/429 with backoff. The body carries a clientKey, so a retry of a send
 * whose response was lost finds the first row instead of creating a second one. 4xx answers are final (the message
 * says what to fix) and the caller keeps the draft.
 */
export async function postWithRetry<T>(url: string, body: unknown, init: { method?: string } = {}): Promise<SendOutcome<T>> {
  let lastError = 'Not sent: the server could not be reached';
  for (let attempt = 0; attempt <= BACKOFF_MS.length; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
    try {
      const res = await fetch(url, {
        method: init.method ?? 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const data = (await res.json().catch(() => ({}))) as T & { error?: string };
      if (res.ok) return { ok: true, data };
      if (res.status < 500 && res.status !== 429 && res.status !== 408) {
        return { ok: false, error: data.error ?? `Not sent (${res.status})`, retryable: false };
      }
      lastError = data.error ?? `Not sent: server error ${res.status}`;
    } catch {
      lastError = 'Not sent: the connection dropped';
    }
  }
  return { ok: false, error: lastError, retryable: true };
}
