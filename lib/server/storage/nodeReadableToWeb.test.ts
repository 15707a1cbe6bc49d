import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { nodeReadableToWeb } from './nodeReadableToWeb';

function source(chunks: number, size = 65536): Readable {
  let i = 0;
  return new Readable({
    read() {
      // Asynchronous like a file: data can arrive after the consumer has cancelled.
      setImmediate(() => this.push(i < chunks ? Buffer.alloc(size, i++ & 0xff) : null));
    },
  });
}

test('passes every byte through in order', async () => {
  const web = nodeReadableToWeb(source(40, 1000));
  const bytes = Buffer.from(await new Response(web).arrayBuffer());
  assert.equal(bytes.length, 40_000);
  for (let i = 0; i < 40; i++) assert.equal(bytes[i * 1000], i);
});

test('a consumer that cancels mid-stream stops the source and nothing throws afterwards', async () => {
  const uncaught: Error[] = [];
  const onUncaught = (e: Error) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    for (let k = 0; k < 20; k++) {
      const node = source(200);
      const reader = nodeReadableToWeb(node).getReader();
      await reader.read();
      await reader.cancel();
      await new Promise((r) => setTimeout(r, 5));
      assert.ok(node.destroyed, 'source destroyed on cancel');
    }
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  assert.deepEqual(uncaught, []);
});

test('the source is paused while nobody reads (backpressure)', async () => {
  const node = source(1000);
  const reader = nodeReadableToWeb(node).getReader();
  await reader.read();
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(node.readableFlowing === false, 'paused, not flowing');
  assert.ok(node.readableLength < 20 * 65536, `buffered ${node.readableLength} bytes, not the whole source`);
  await reader.cancel();
});
