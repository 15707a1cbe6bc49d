/** Real music for benches: fetched on demand (Debian packages, no other network) into the git-ignored .corpus/. */
export { ensureCorpus as corpusTracks, repoRoot, type CorpusTrack } from '../scripts/corpus/ensureCorpus';
