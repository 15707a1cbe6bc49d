/**
 * Running minimum / maximum over a window [n - before, n + after] with positions outside the signal reading as
 * `outside`. Monotonic-deque algorithm: amortised O(1) per sample and O(window) extra memory, so a full-length
 * envelope costs one output array and nothing else. Used by the limiter for its hold + lookahead.
 */
export function slidingMin(
  x: ArrayLike<number>,
  before: number,
  after: number,
  outside: number,
  out: Float64Array = new Float64Array(x.length),
): Float64Array {
  return sliding(x, before, after, outside, out, 1);
}

export function slidingMax(
  x: ArrayLike<number>,
  before: number,
  after: number,
  outside: number,
  out: Float64Array = new Float64Array(x.length),
): Float64Array {
  return sliding(x, before, after, outside, out, -1);
}

function sliding(
  x: ArrayLike<number>,
  before: number,
  after: number,
  outside: number,
  out: Float64Array,
  sign: number,
): Float64Array {
  const n = x.length;
  const cap = before + after + 2;
  const qi = new Int32Array(cap); // indices, values increasing (for sign = 1) from head to tail
  const qv = new Float64Array(cap);
  let head = 0;
  let size = 0;
  const o = sign * outside;
  // out may alias x: element i of x is read (pushed) before out[i - after] is written, and i - after <= i.
  for (let j = 0; j < n + after; j++) {
    if (j < n) {
      const v = sign * x[j];
      while (size > 0) {
        const t = (head + size - 1) % cap;
        if (qv[t] >= v) size--;
        else break;
      }
      const t = (head + size) % cap;
      qi[t] = j;
      qv[t] = v;
      size++;
    }
    const i = j - after;
    if (i < 0) continue;
    while (size > 0 && qi[head] < i - before) {
      head = head + 1 === cap ? 0 : head + 1;
      size--;
    }
    let m = size > 0 ? qv[head] : o;
    if ((i - before < 0 || i + after >= n) && o < m) m = o;
    out[i] = sign * m;
  }
  return out;
}

/**
 * Running minimum over [n - before, n + after] of a signal that equals `background` everywhere except at a sorted
 * list of positions (values there below the background); positions outside the signal read as the background too.
 * Work is proportional to the number of listed positions, not to the length: the result comes as runs of constant
 * value (`start`, `end` exclusive, `value` after each `next()` that returns true), which cover [0, length) in order.
 * Gives exactly what slidingMin gives on the dense signal (the same values are compared, none is computed).
 */
export class SparseSlidingMinRuns {
  start = 0;
  end = 0;
  value = 0;
  private readonly queue: Int32Array; // indices into positions, values increasing from head to tail
  private head = 0;
  private tail = 0;
  private next_ = 0;

  constructor(
    private readonly positions: Int32Array,
    private readonly values: Float64Array,
    private readonly count: number,
    private readonly length: number,
    private readonly before: number,
    private readonly after: number,
    private readonly background: number,
  ) {
    this.queue = new Int32Array(Math.max(1, count));
  }

  next(): boolean {
    const i = this.end;
    if (i >= this.length) return false;
    const { positions, values, queue, count, before, after } = this;
    let { head, tail, next_: next } = this;
    while (next < count && positions[next] <= i + after) {
      const v = values[next];
      while (tail > head && values[queue[tail - 1]] >= v) tail--;
      queue[tail++] = next++;
    }
    while (tail > head && positions[queue[head]] < i - before) head++;
    // The minimum holds until the next position enters the window or the current minimum leaves it.
    let end = this.length;
    if (next < count && positions[next] - after < end) end = positions[next] - after;
    if (tail > head && positions[queue[head]] + before + 1 < end) end = positions[queue[head]] + before + 1;
    if (end <= i) end = i + 1;
    const v = tail > head ? values[queue[head]] : this.background;
    this.value = v > this.background ? this.background : v;
    this.start = i;
    this.end = end;
    this.head = head;
    this.tail = tail;
    this.next_ = next;
    return true;
  }
}

/** SparseSlidingMinRuns through a callback: `emit(start, end, value)` for each run, in order. */
export function slidingMinSparse(
  positions: Int32Array,
  values: Float64Array,
  count: number,
  length: number,
  before: number,
  after: number,
  background: number,
  emit: (start: number, end: number, value: number) => void,
): void {
  const runs = new SparseSlidingMinRuns(positions, values, count, length, before, after, background);
  while (runs.next()) emit(runs.start, runs.end, runs.value);
}
