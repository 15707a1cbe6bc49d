/**
 * Collects decoder output chunks into planar arrays without keeping the chunks: with a good length hint the peak is
 * one copy of the audio plus one chunk, instead of the chunks + their concatenation (2x). Float32Arrays by default;
 * `allocate` gives the channels another home (e.g. a render's float64 working buffer in shared memory).
 */
export class PlanarAccumulator<A extends Float32Array | Float64Array = Float32Array> {
  private channels: A[] = [];
  private length = 0;

  /** `onOverflow` is thrown (its result) when more than `maxFrames` frames arrive: the decode stops there. */
  constructor(
    private readonly capacityHint: number,
    private readonly maxFrames = Infinity,
    private readonly onOverflow: (frames: number) => Error = (frames) => new RangeError(`more than ${frames} frames`),
    private readonly allocate: (frames: number) => A = (frames) => new Float32Array(frames) as A,
  ) {}

  get frames(): number {
    return this.length;
  }

  get channelCount(): number {
    return this.channels.length;
  }

  append(chunk: Float32Array[]): void {
    if (chunk.length === 0 || chunk[0].length === 0) return;
    const n = chunk[0].length;
    if (this.length + n > this.maxFrames) throw this.onOverflow(this.length + n);
    if (this.channels.length === 0) {
      const capacity = Math.min(Math.max(n, Number.isFinite(this.capacityHint) ? this.capacityHint : 0, 1 << 16), Math.max(n, this.maxFrames));
      this.channels = chunk.map(() => this.allocate(capacity));
    } else if (chunk.length !== this.channels.length) {
      throw new Error(`decoder changed channel count mid-stream (${this.channels.length} -> ${chunk.length})`);
    }
    if (this.length + n > this.channels[0].length) {
      const capacity = Math.min(Math.max(this.length + n, Math.ceil(this.channels[0].length * 1.5)), this.maxFrames);
      this.channels = this.channels.map((c) => {
        const grown = this.allocate(capacity);
        grown.set(c.subarray(0, this.length));
        return grown;
      });
    }
    for (let ch = 0; ch < chunk.length; ch++) this.channels[ch].set(chunk[ch], this.length);
    this.length += n;
  }

  /** The frames in [start, start + count), as channels that exactly fit (a copy only when much space is wasted). */
  take(start = 0, count = this.length - start): A[] {
    return this.channels.map((c) => {
      const view = c.subarray(start, start + count) as A;
      // Transferring a buffer moves all of it: copy when more than ~3% would travel as dead weight.
      return c.length - count > (count >> 5) ? (view.slice() as A) : view;
    });
  }

  /** Every frame, as views of the channels where they are (never a copy: their buffers' room is kept). */
  views(): A[] {
    return this.channels.map((c) => c.subarray(0, this.length) as A);
  }
}
