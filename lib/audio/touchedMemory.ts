/**
 * Shared memory with every page already touched. On the virtual machines this runs on, the first touch of a fresh page
 * is a costly fault (a new 30 MB buffer: ~40-60 ms before any work is done in it), paid by whichever thread touches it
 * first. A thread with time to spare (the chain worker, once its reference is analysed) makes buffers another thread
 * will fill, so the faults are off that thread's path.
 */
const PAGE_BYTES = 4096;

export function touchedSharedBuffers(byteLengths: readonly number[]): SharedArrayBuffer[] {
  return byteLengths.map((length) => {
    const buffer = new SharedArrayBuffer(length);
    const bytes = new Uint8Array(buffer);
    // Zero already (fresh shared memory is): writing a zero maps the page without changing anything.
    for (let i = 0; i < length; i += PAGE_BYTES) bytes[i] = 0;
    return buffer;
  });
}
