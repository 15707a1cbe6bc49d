// next build runs with typescript.ignoreBuildErrors (so one helper's type error cannot break everyone's browser
// builds), which moves the strict type check here: the suite fails on any type error in the repo.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const repoRoot = path.resolve(import.meta.dirname, '..');

test('the whole repo type-checks under strict TypeScript', () => {
  const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', repoRoot, '--incremental', 'false'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `tsc reported errors:\n${result.stdout}${result.stderr}`);
});
