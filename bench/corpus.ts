/** Real music for benches: fetched on demand with the shared script (Debian packages, no other network). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface CorpusTrack {
  id: string;
  path: string;
}

export function corpusTracks(): CorpusTrack[] {
  const script = resolve(repoRoot, '../shared/corpus/fetch-corpus.sh');
  if (!existsSync(script)) throw new Error(`corpus script not found at ${script}`);
  const out = execFileSync('bash', [script, join(repoRoot, '.corpus')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').filter(Boolean).map((line) => {
    const [id, path] = line.split('\t');
    return { id, path };
  });
}
