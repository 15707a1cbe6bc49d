/**
 * Summary of a gain-reduction envelope for the mastering report: how hard and how often a dynamics stage worked.
 * Reduction is reported as a positive number of dB.
 */
export interface GainReductionStats {
  maxDb: number;
  meanDb: number;
  /** Share of the time (0..100) with more than 1 dB of reduction. */
  percentOver1Db: number;
  /** Upper edges of the histogram bins in dB (JSON-safe: no Infinity); one more bin than edges, the last open-ended. */
  histogramEdgesDb: number[];
  /** Share of the time (0..100) per bin, histogramEdgesDb.length + 1 entries. */
  histogramPercent: number[];
}

export const GAIN_REDUCTION_HISTOGRAM_EDGES_DB = [0.1, 0.5, 1, 2, 3, 4, 6, 9, 12];

/** Accumulates per-sample linear gains (≤ 1) without storing them, so stages can feed it while they run. */
export class GainReductionAccumulator {
  private count = 0;
  private sumDb = 0;
  private maxDb = 0;
  private over1 = 0;
  private readonly bins = new Float64Array(GAIN_REDUCTION_HISTOGRAM_EDGES_DB.length + 1);

  /** Adds one sample's reduction, in dB (positive = reduction). */
  addDb(reductionDb: number): void {
    const r = reductionDb > 0 ? reductionDb : 0;
    this.count++;
    this.sumDb += r;
    if (r > this.maxDb) this.maxDb = r;
    if (r > 1) this.over1++;
    const edges = GAIN_REDUCTION_HISTOGRAM_EDGES_DB;
    let b = 0;
    while (b < edges.length && r > edges[b]) b++;
    this.bins[b]++;
  }

  /** Adds a run of linear gains; samples are decimated by `stride` because the envelope is smooth. */
  addGains(gains: ArrayLike<number>, stride = 1): void {
    for (let i = 0; i < gains.length; i += stride) {
      const g = gains[i];
      this.addDb(g >= 1 ? 0 : -20 * Math.log10(g > 1e-12 ? g : 1e-12));
    }
  }

  result(): GainReductionStats {
    const n = Math.max(1, this.count);
    return {
      maxDb: this.maxDb,
      meanDb: this.sumDb / n,
      percentOver1Db: (100 * this.over1) / n,
      histogramEdgesDb: [...GAIN_REDUCTION_HISTOGRAM_EDGES_DB],
      histogramPercent: Array.from(this.bins, (c) => (100 * c) / n),
    };
  }
}
