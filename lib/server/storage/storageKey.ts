/**
 * Storage keys are opaque, server-generated names like `assets/<assetId>/original.wav`. They are validated on every
 * access so a key can never name anything outside the storage root, whatever a caller passes in.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_KEY_LENGTH = 512;

export class InvalidStorageKeyError extends Error {
  override name = 'InvalidStorageKeyError';
}

export function assertStorageKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new InvalidStorageKeyError('Storage key is empty or too long');
  }
  for (const segment of key.split('/')) {
    // SEGMENT already refuses leading dots, so "." and ".." cannot pass; the explicit check documents the intent.
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new InvalidStorageKeyError(`Invalid storage key segment in ${JSON.stringify(key)}`);
    }
  }
}

/** Extensions we store originals under; anything else becomes `.bin` (the probe, not the name, decides the format). */
const KNOWN_EXTENSIONS = new Set(['wav', 'aif', 'aiff', 'flac', 'mp3', 'ogg', 'opus', 'm4a', 'mp4', 'aac', 'caf', 'w64']);

export function originalAssetKey(assetId: string, extension: string): string {
  const ext = extension.toLowerCase();
  const key = `assets/${assetId}/original.${KNOWN_EXTENSIONS.has(ext) ? ext : 'bin'}`;
  assertStorageKey(key);
  return key;
}
