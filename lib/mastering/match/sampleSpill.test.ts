import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SampleSpill } from './sampleSpill';

const dir = mkdtempSync(join(tmpdir(), 'sample-spill-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function noise(frames: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: frames }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5));
}

test('reads back exactly what was appended, in pieces of any size across its blocks, stereo and mono', async () => {
  for (const channelCount of [2, 1]) {
    const frames = 200_003; // three whole 65536-frame blocks and a partial one
    const channels = Array.from({ length: channelCount }, (_, ch) => noise(frames, 11 + ch));
    const spill = SampleSpill.create(channelCount, dir)!;
    assert.ok(spill);
    for (let at = 0, k = 0; at < frames; k++) {
      const n = Math.min(frames - at, [1, 16384, 70_000, 333][k % 4]);
      spill.append(channels.map((c) => c.subarray(at, at + n)), n);
      at += n;
    }
    spill.finish();
    assert.equal(spill.frames, frames);
    const into = channels.map(() => new Float64Array(frames));
    assert.equal(await spill.readInto(into, frames), true);
    into.forEach((c, ch) => assert.deepEqual(c, Float64Array.from(channels[ch])));
    // A caller expecting another length gets nothing from it (it decodes the file again instead).
    assert.equal(await spill.readInto(channels.map(() => new Float64Array(frames - 1)), frames - 1), false);
    await spill.dispose();
    assert.equal(await spill.readInto(into, frames), false);
  }
  assert.deepEqual(readdirSync(dir), []);
});

test('is not there when it cannot be created, and is removed when disposed of before it was finished', async () => {
  assert.equal(SampleSpill.create(2, join(dir, 'missing', 'folder')), null);
  const spill = SampleSpill.create(1, dir)!;
  spill.append([noise(1000, 3)], 1000);
  assert.equal(readdirSync(dir).length, 1);
  await spill.dispose();
  assert.deepEqual(readdirSync(dir), []);
  assert.ok(!existsSync(join(dir, 'missing')));
});

test('removes the copies a killed process left behind (hours old), and nothing else', async () => {
  const stale = join(dir, 'mastering-mix-1-dead.f32');
  const fresh = join(dir, 'mastering-mix-2-live.f32');
  const other = join(dir, 'someone-else.f32');
  for (const path of [stale, fresh, other]) writeFileSync(path, new Uint8Array(8));
  const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
  utimesSync(stale, dayAgo, dayAgo);
  utimesSync(other, dayAgo, dayAgo);
  const spill = SampleSpill.create(2, dir)!;
  assert.ok(!existsSync(stale));
  assert.ok(existsSync(fresh) && existsSync(other));
  await spill.dispose();
  rmSync(fresh);
  rmSync(other);
});
