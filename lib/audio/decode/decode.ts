/**
 * Entry point: bytes in, planar float PCM out. Dispatches on the file's magic bytes, never on its name.
 */
import { AudioFormatError, type DecodedAudio } from '../types';
import { decodeAiff } from './aiff';
import { decodeCompressed } from './compressed';
import { describeUnsupported, sniffContainer } from './probe';
import { decodeWav } from './wav';

export async function decodeAudio(bytes: Uint8Array): Promise<DecodedAudio> {
  const container = sniffContainer(bytes.subarray(0, 1024 * 1024));
  switch (container) {
    case null:
      throw new AudioFormatError(describeUnsupported(bytes.subarray(0, 4096)));
    case 'wav':
      return decodeWav(bytes);
    case 'aiff':
      return decodeAiff(bytes);
    default:
      return decodeCompressed(bytes, container);
  }
}
