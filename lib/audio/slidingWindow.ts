/**
 * The last few seconds of a planar stream, contiguous per channel, for meters that read a little behind the newest
 * frame (a spectrum segment, a click's neighbourhood, an interpolator's taps). Frame i is `channels[c][i - base]`;
 * frames [base, end) are present, and at least `lookback` frames before `end` stay present when the window slides.
 */
export class SlidingWindow {
  readonly channels: Float32Array[];
  base = 0;
  end = 0;

  constructor(
    channelCount: number,
    private readonly lookback: number,
    room: number,
  ) {
    this.channels = Array.from({ length: channelCount }, () => new Float32Array(lookback + room));
  }

  /**
   * The present frames [base, end) of each channel, as views exactly that long: a meter that pads beyond the end of
   * what it is given (an interpolator at the signal's last samples) must not read the buffer's stale remainder.
   */
  views(): Float32Array[] {
    return this.channels.map((c) => c.subarray(0, this.end - this.base));
  }

  /**
   * Copies the next `frames` frames in (the caller may reuse its buffers at once) and calls `advance` with views() each
   * time the window is full and before it slides, and once at the end: every meter must take what it can before it
   * returns.
   */
  push(channels: readonly Float32Array[], frames: number, advance: (window: readonly Float32Array[], base: number, end: number) => void): void {
    if (channels.length !== this.channels.length) throw new RangeError(`expected ${this.channels.length} channels, got ${channels.length}`);
    const capacity = this.channels[0].length;
    for (let done = 0; done < frames; ) {
      if (this.end - this.base === capacity) {
        const keepFrom = this.end - this.lookback;
        for (const w of this.channels) w.copyWithin(0, keepFrom - this.base, this.end - this.base);
        this.base = keepFrom;
      }
      const take = Math.min(frames - done, capacity - (this.end - this.base));
      for (let c = 0; c < this.channels.length; c++) this.channels[c].set(channels[c].subarray(done, done + take), this.end - this.base);
      this.end += take;
      done += take;
      if (this.end - this.base === capacity || done === frames) advance(this.views(), this.base, this.end);
    }
  }
}
