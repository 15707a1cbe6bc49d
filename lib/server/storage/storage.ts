import type { Readable } from 'node:stream';

export interface StoredObjectInfo {
  sizeBytes: number;
  modifiedAt: Date;
}

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where uploaded originals, masters and derived files live. Callers only ever pass server-generated keys; every
 * implementation must refuse keys that fail assertStorageKey. Objects are immutable once written: putting an existing
 * key fails instead of overwriting, because an original must never change after upload.
 */
export interface Storage {
  /** Streams `source` into a new object. Fails with ObjectExistsError when the key is taken. */
  putStream(key: string, source: Readable): Promise<StoredObjectInfo>;
  /** Adopts a finished local file (e.g. a completed upload), moving it when possible instead of copying. */
  putLocalFile(key: string, localPath: string): Promise<StoredObjectInfo>;
  /** Reads the object, or the inclusive range of it. */
  createReadStream(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<StoredObjectInfo | null>;
  /** Removes the object; a missing object is not an error (deletes are retried by cleanup paths). */
  delete(key: string): Promise<void>;
}

export class ObjectExistsError extends Error {
  override name = 'ObjectExistsError';
}

export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
}
