/**
 * A bounded ring of planar sample slots in shared memory, for a decoder thread that streams to a consumer on another
 * thread: the decoder writes slot after slot and blocks (Atomics.wait, allowed in worker threads) while the ring is full;
 * the consumer reads each published slot and frees it. Nothing is copied between threads, nothing is allocated per
 * slot, and memory stays flat however long the file. Control words live in one small Int32Array.
 */

export const RING_SLOT_FRAMES = 16384;
export const RING_SLOTS = 8;

const WRITTEN = 0; // slots published by the writer
const READ = 1; // slots freed by the reader
const STATE = 2;
const SLOT_FRAMES = 4; // RING_SLOTS entries: frames in each slot

export const RingState = {
  running: 0,
  /** Every slot is published. */
  done: 1,
  /** The writer stopped (an error follows as a message). */
  failed: 2,
  /** The reader gave up: the writer must stop. */
  cancelled: 3,
} as const;

export function createRingControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * (SLOT_FRAMES + RING_SLOTS));
}

/** Thrown in the writer when the reader cancelled. */
export class RingCancelled extends Error {
  constructor() {
    super('the reader cancelled');
  }
}

export class RingWriter {
  private readonly control: Int32Array;
  readonly data: SharedArrayBuffer[];
  private readonly slots: Float32Array[][];
  private slot = 0;
  private fill = 0;

  constructor(control: SharedArrayBuffer, channelCount: number) {
    this.control = new Int32Array(control);
    this.data = Array.from({ length: channelCount }, () => new SharedArrayBuffer(4 * RING_SLOTS * RING_SLOT_FRAMES));
    this.slots = Array.from({ length: RING_SLOTS }, (_, s) => this.data.map((buffer) => new Float32Array(buffer, 4 * s * RING_SLOT_FRAMES, RING_SLOT_FRAMES)));
  }

  write(channels: readonly Float32Array[], frames: number): void {
    for (let done = 0; done < frames; ) {
      if (this.fill === 0) this.waitForFreeSlot();
      const take = Math.min(frames - done, RING_SLOT_FRAMES - this.fill);
      const slot = this.slots[this.slot % RING_SLOTS];
      // The common case, a whole packet into one slot, copies without making views.
      if (done === 0 && take === frames && channels[0].length === frames) {
        for (let c = 0; c < slot.length; c++) slot[c].set(channels[c], this.fill);
      } else {
        for (let c = 0; c < slot.length; c++) slot[c].set(channels[c].subarray(done, done + take), this.fill);
      }
      this.fill += take;
      done += take;
      if (this.fill === RING_SLOT_FRAMES) this.publish();
    }
  }

  /** Publishes the last, partial slot and marks the stream complete. */
  close(): void {
    if (this.fill > 0) this.publish();
    Atomics.store(this.control, STATE, RingState.done);
    Atomics.notify(this.control, WRITTEN);
  }

  /** Marks the stream failed (the reader wakes and waits for the error message). */
  fail(): void {
    Atomics.store(this.control, STATE, RingState.failed);
    Atomics.notify(this.control, WRITTEN);
  }

  private publish(): void {
    Atomics.store(this.control, SLOT_FRAMES + (this.slot % RING_SLOTS), this.fill);
    this.slot++;
    this.fill = 0;
    Atomics.store(this.control, WRITTEN, this.slot);
    Atomics.notify(this.control, WRITTEN);
  }

  private waitForFreeSlot(): void {
    for (;;) {
      if (Atomics.load(this.control, STATE) === RingState.cancelled) throw new RingCancelled();
      const read = Atomics.load(this.control, READ);
      if (this.slot - read < RING_SLOTS) return;
      // Bounded waits: a reader that vanished without cancelling must not hang this thread for ever.
      Atomics.wait(this.control, READ, read, 1000);
    }
  }
}

/** Atomics.waitAsync (Node 16+; the TypeScript lib we target predates it). Its value is a string when it did not wait. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

export class RingReader {
  private readonly control: Int32Array;
  private readonly slots: Float32Array[][];
  private read = 0;

  constructor(control: SharedArrayBuffer, data: readonly SharedArrayBuffer[]) {
    this.control = new Int32Array(control);
    this.slots = Array.from({ length: RING_SLOTS }, (_, s) => data.map((buffer) => new Float32Array(buffer, 4 * s * RING_SLOT_FRAMES, RING_SLOT_FRAMES)));
  }

  /**
   * Hands every published slot to `consume` (views valid during the call) until the writer closes the stream; resolves
   * 'done', or 'failed' when the writer stopped or `stopped()` turns true (checked whenever a wait times out).
   */
  async drain(consume: (channels: Float32Array[], frames: number) => void, stopped: () => boolean, waitMs = 250): Promise<'done' | 'failed'> {
    for (;;) {
      const written = Atomics.load(this.control, WRITTEN);
      while (this.read < written) {
        const slot = this.slots[this.read % RING_SLOTS];
        const frames = Atomics.load(this.control, SLOT_FRAMES + (this.read % RING_SLOTS));
        consume(frames === RING_SLOT_FRAMES ? slot : slot.map((c) => c.subarray(0, frames)), frames);
        this.read++;
        Atomics.store(this.control, READ, this.read);
        Atomics.notify(this.control, READ);
      }
      const state = Atomics.load(this.control, STATE);
      if (state === RingState.done && this.read === Atomics.load(this.control, WRITTEN)) return 'done';
      if (state === RingState.failed || stopped()) return 'failed';
      if (this.read === Atomics.load(this.control, WRITTEN)) await waitAsync(this.control, WRITTEN, written, waitMs).value;
    }
  }

  /** Tells the writer to stop (it throws RingCancelled at its next wait). */
  cancel(): void {
    Atomics.store(this.control, STATE, RingState.cancelled);
    Atomics.notify(this.control, READ);
  }
}
