// Fetches the real-music corpus (free-licensed game soundtracks from Debian packages) into <repo>/.corpus once.
// Prefers the team's shared copy of the fetch script (../shared/corpus) and falls back to the copy kept here, so a
// clone anywhere (CI's clean clone has no ../shared) can still fetch it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const corpusRoot = join(repoRoot, '.corpus');

export interface CorpusTrack {
  id: string;
  path: string;
}

function fetchScript(): string {
  const shared = resolve(repoRoot, '../shared/corpus/fetch-corpus.sh');
  return existsSync(shared) ? shared : join(repoRoot, 'scripts', 'corpus', 'fetch-corpus.sh');
}

/** Downloads what is missing (idempotent) and lists the tracks. Throws with the script's reason when it cannot. */
export function ensureCorpus(): CorpusTrack[] {
  const out = execFileSync('bash', [fetchScript(), corpusRoot], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, path] = line.split('\t');
      return { id, path };
    });
}
