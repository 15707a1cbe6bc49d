/**
 * A short made-up signal that a DSP stage's first use on a thread runs over before its real input (the limiter, the
 * compressor): bursts at `loudLevel` and stretches at `quietLevel` in turn, so every path of the stage's loop runs once
 * in the interpreter and gathers type feedback. Otherwise a long loop is compiled on stack replacement halfway through
 * the first real pass, before its other paths and the code after it have run, and that compiled copy deoptimises where
 * they are first reached (see ARCHITECTURE.md). Each channel has its own frequency.
 */
const PRIMER_FRAMES = 6000;

export function primerSignal(channelCount: number, loudLevel: number, quietLevel: number): Float64Array[] {
  return Array.from({ length: channelCount }, (_, c) =>
    Float64Array.from({ length: PRIMER_FRAMES }, (_, i) => (i % 1500 < 700 ? loudLevel : quietLevel) * Math.sin(i * (0.05 + 0.01 * c))),
  );
}
