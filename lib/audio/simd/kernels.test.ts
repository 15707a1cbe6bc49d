import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kWeightingKernel } from './kWeightingKernel';
import { levelKernel } from './levelKernel';
import { limiterGainKernel } from './limiterGainKernel';
import { saturationKernel } from './saturationKernel';
import { createWelchKernel } from './welchKernel';

test('the kernels instantiate here (the meters would otherwise fall back to scalar code unnoticed)', () => {
  assert.ok(levelKernel());
  assert.ok(kWeightingKernel());
  assert.ok(createWelchKernel(32768));
  assert.ok(saturationKernel());
  assert.ok(limiterGainKernel());
});

test('the generated kernel modules match their .wat sources', () => {
  const script = fileURLToPath(new URL('../../../scripts/buildWasm.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});

test('the saturator kernel\'s .wat is what its generator writes', () => {
  const script = fileURLToPath(new URL('../../../scripts/saturationKernelWat.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
