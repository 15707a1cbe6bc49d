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
