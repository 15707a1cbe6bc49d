import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { levelKernel } from './levelKernel';

test('the level kernel instantiates here (the scan would otherwise fall back to scalar code unnoticed)', () => {
  assert.ok(levelKernel());
});

test('the generated kernel module matches its .wat source', () => {
  const script = fileURLToPath(new URL('../../../scripts/buildWasm.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
