import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

test('close() with a reply already on its way still waits for the worker to exit (the process does not end early)', () => {
  // In a process of its own, as the CLI runs: a ping is answered while this thread is busy, so the reply waits in the
  // queue when close() is called. Handling it unref'd the worker again, after terminate() had ref'd it: the loop was
  // left empty with close() pending, and the process ended with code 13 ("unsettled top-level await") saying nothing.
  const client = fileURLToPath(new URL('./chainWorkerClient.ts', import.meta.url));
  const script = `
    const { ChainWorker } = await import(${JSON.stringify(pathToFileURL(client).href)});
    const worker = new ChainWorker();
    await worker.run({ kind: 'ping' });
    const reply = worker.run({ kind: 'ping' });
    const until = Date.now() + 300;
    while (Date.now() < until);
    await worker.close();
    await reply.catch(() => undefined);
    console.log('closed');
  `;
  const dir = mkdtempSync(join(tmpdir(), 'chain-worker-close-'));
  try {
    const path = join(dir, 'close.mts');
    writeFileSync(path, script);
    const run = spawnSync(process.execPath, ['--import', 'tsx', path], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `exit ${run.status}: ${run.stderr}`);
    assert.equal(run.stdout.trim(), 'closed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
