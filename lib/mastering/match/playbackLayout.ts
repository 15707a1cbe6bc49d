/**
 * Mono against stereo, compared as they are heard. BS.1770 measures a mono file as one channel, but a mono file is
 * played on both loudspeakers (dual mono), where it sounds 10·log10(2) ≈ 3.01 dB louder than that measure; EBU R128
 * s1 asks for dual-mono measurement for the same reason. Matching a stereo mix to a mono reference by the raw numbers
 * would aim the master 3 LU too quiet and read the reference's whole spectrum as 3 dB "brighter" everywhere (an EQ
 * boost in every band, eating the boost limits); a mono mix against a stereo reference would go 3 LU too loud.
 *
 * So a reference whose layout differs from the mix's is expressed in the mix's terms before derivation and before
 * any tonal distance: a mono reference against a stereo mix as dual mono, a stereo reference against a mono mix as
 * the mono level that plays as loud. Its absolute band powers do not change (dual mono x,x has mid x and side 0, the
 * same band powers as mono x); its loudness moves, and with it every level quoted relative to that loudness. The
 * mix's own analysis is never touched: its figures drive the compressor, which sees the file's real levels.
 */
import type { MatchAnalysis } from './matchAnalysis';

/** How much louder a mono signal plays on two loudspeakers than BS.1770 measures it as one channel. */
export const DUAL_MONO_DB = 10 * Math.log10(2);

/** The LU to add to a reference's loudness so it compares with a mix of `mixChannels` channels as heard. */
export function layoutOffsetDb(referenceChannels: number, mixChannels: number): number {
  const stereo = (channels: number) => (channels >= 2 ? 1 : 0);
  return DUAL_MONO_DB * (stereo(mixChannels) - stereo(referenceChannels));
}

/** The reference's analysis in the mix's layout (the same object when the layouts agree). */
export function referenceInMixLayout(reference: MatchAnalysis, mixChannels: number): MatchAnalysis {
  const offsetDb = layoutOffsetDb(reference.channels, mixChannels);
  if (offsetDb === 0) return reference;
  const louder = (v: number) => v + offsetDb;
  // -200 dB is the analysis's floor for an empty band (a mono track's side): it stays the floor.
  const relative = (v: number) => (v <= -200 ? v : Math.max(-200, v - offsetDb));
  return {
    ...reference,
    integratedLufs: louder(reference.integratedLufs),
    shortTermMaxLufs: louder(reference.shortTermMaxLufs),
    shortTermLufs: reference.shortTermLufs.map(louder),
    tonal: { ...reference.tonal, integratedLufs: louder(reference.tonal.integratedLufs) },
    fine: {
      frequenciesHz: reference.fine.frequenciesHz,
      midDb: reference.fine.midDb.map(relative),
      sideDb: reference.fine.sideDb.map(relative),
      totalDb: reference.fine.totalDb.map(relative),
    },
  };
}
