import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeChunks } from './writeChunks';

test('writeChunks writes every chunk in order, more chunks than one vectored write takes, and replaces a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'write-chunks-'));
  try {
    const path = join(dir, 'out.bin');
    // 2500 chunks of varied sizes (some empty), views into larger buffers as the encoders hand them out.
    const backing = new Uint8Array(1 << 20);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 31 + 7) & 255;
    const chunks = Array.from({ length: 2500 }, (_, i) => backing.subarray((i * 397) % 4096, ((i * 397) % 4096) + (i % 13) * 37));
    writeChunks(path, chunks);
    const expected = Buffer.concat(chunks);
    assert.deepEqual(readFileSync(path), expected);
    writeChunks(path, [new Uint8Array([1, 2, 3])]);
    assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
    assert.throws(() => writeChunks(join(dir, 'missing', 'out.bin'), chunks), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
