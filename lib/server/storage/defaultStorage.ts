import { getConfig } from '@/lib/server/config';
import { LocalDiskStorage } from './localDiskStorage';
import type { Storage } from './storage';

const KEY = Symbol.for('mastering-room.storage');
type Holder = { [KEY]?: { root: string; storage: Storage } };

/**
 * The app's object store. Local disk under DATA_DIR/storage for now; an S3-compatible implementation of Storage can
 * be chosen here from config without touching any caller.
 */
export function getStorage(): Storage {
  const root = getConfig().storageDir;
  const holder = globalThis as Holder;
  if (holder[KEY]?.root !== root) holder[KEY] = { root, storage: new LocalDiskStorage(root) };
  return holder[KEY]!.storage;
}
