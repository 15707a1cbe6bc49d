import type { Readable } from 'node:stream';

/**
 * A web ReadableStream over a Node stream, for route-handler bodies. Node 20's Readable.toWeb can still enqueue or
 * close after the consumer cancelled (a browser <audio> element aborts Range requests whenever it seeks), which
 * throws ERR_INVALID_STATE as an uncaught exception. Here every controller call is guarded, cancel destroys the
 * source, and the source is paused while the consumer is not asking for data (backpressure).
 */
export function nodeReadableToWeb(source: Readable): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.on('data', (chunk: Buffer | string) => {
          if (done) return;
          try {
            controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          } catch {
            done = true;
            source.destroy();
            return;
          }
          if ((controller.desiredSize ?? 1) <= 0) source.pause();
        });
        source.once('end', () => {
          if (done) return;
          done = true;
          try {
            controller.close();
          } catch {
            // consumer already gone
          }
        });
        source.once('error', (error) => {
          if (done) return;
          done = true;
          try {
            controller.error(error);
          } catch {
            // consumer already gone
          }
        });
        source.pause();
      },
      pull() {
        if (!done) source.resume();
      },
      cancel() {
        done = true;
        source.destroy();
      },
    },
    { highWaterMark: 4 },
  );
}
