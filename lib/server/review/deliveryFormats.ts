/**
 * The delivery menu of an approved master. `sampleRate: 'source'` keeps the master's own rate; the export job reads
 * format + sampleRate from each Export row.
 */
export const DELIVERY_FORMATS = {
  wav24: { label: 'WAV 24-bit', detail: 'source sample rate', sampleRate: 'source', extension: 'wav', contentType: 'audio/wav' },
  wav16: { label: 'WAV 16-bit / 44.1 kHz', detail: 'dithered', sampleRate: 44100, extension: 'wav', contentType: 'audio/wav' },
  flac24: { label: 'FLAC', detail: '24-bit, source sample rate', sampleRate: 'source', extension: 'flac', contentType: 'audio/flac' },
  'mp3-320': { label: 'MP3 320', detail: 'CBR, 44.1 kHz', sampleRate: 44100, extension: 'mp3', contentType: 'audio/mpeg' },
} as const;

export type DeliveryFormat = keyof typeof DELIVERY_FORMATS;
export const DELIVERY_FORMAT_IDS = Object.keys(DELIVERY_FORMATS) as DeliveryFormat[];

export function isDeliveryFormat(value: string): value is DeliveryFormat {
  return Object.hasOwn(DELIVERY_FORMATS, value);
}

export function deliverySampleRate(format: DeliveryFormat, sourceRate: number | null): number {
  const rate = DELIVERY_FORMATS[format].sampleRate;
  return rate === 'source' ? (sourceRate ?? 44100) : rate;
}
