// The runtime bundle: the CLI and every worker-thread entry (lib/audio/workerThread.ts) prebuilt by esbuild, so
// `npx mastering` runs plain JavaScript instead of compiling TypeScript through tsx in each thread (tsx's loader cost
// every thread ~35 MB and a few hundred ms of start-up). npm packages stay external (resolved from node_modules),
// except those in BUNDLED_PACKAGES. Rebuilt on demand, when the build is missing or any source file the last build
// read (or a bundled package's package.json, which an upgrade rewrites) is newer than it; the check is a stat per file. Each build gets its own folder and .build/runtime.json names the current one, so a run
// never sees half a bundle and a build never pulls files from under a running process.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_DIR = join(repoRoot, '.build');
const CURRENT = join(BUILD_DIR, 'runtime.json');
/** Older builds are removed once this old (a process started from one is long done by then). */
const KEEP_OLD_MS = 60 * 60 * 1000;

// Keep the thread entries in step with THREAD_ENTRIES in lib/audio/workerThread.ts (a test checks it).
export const ENTRIES = {
  cli: 'lib/mastering/cli/main.ts',
  decodeWorker: 'lib/audio/decode/decodeWorker.ts',
  chainWorker: 'lib/mastering/chain/chainWorker.ts',
  cpuThread: 'workers/cpu/cpuThread.ts',
};

function current() {
  try {
    const stamp = JSON.parse(readFileSync(CURRENT, 'utf8'));
    const dir = join(BUILD_DIR, stamp.dir);
    for (const name of Object.keys(ENTRIES)) if (!existsSync(join(dir, `${name}.mjs`))) return null;
    for (const input of stamp.inputs) {
      const path = join(repoRoot, input);
      if (!existsSync(path) || statSync(path).mtimeMs > stamp.builtMs) return null;
    }
    return dir;
  } catch {
    return null;
  }
}

/**
 * essentia.js ships its 1.8 MB WebAssembly as a base64 string inside a 2.5 MB script: every process that loads it
 * reads, parses and decodes all of that (~40 ms of a four-minute analysis's CPU). The bundle gets the same glue with the
 * binary beside it instead (essentia-wasm.cjs + essentia.wasm, which Emscripten's Node path reads with one file read);
 * lib/mastering/analysis/essentia.ts prefers them. An essentia.js whose script does not have the expected shape is
 * left alone (the loader then uses the package's file).
 */
function writeEssentiaGlue(dir) {
  let source;
  try {
    source = readFileSync(join(repoRoot, 'node_modules/essentia.js/dist/essentia-wasm.umd.js'), 'utf8');
  } catch {
    return;
  }
  const embedded = /var wasmBinaryFile="data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/;
  const match = embedded.exec(source);
  if (!match) return;
  writeFileSync(join(dir, 'essentia.wasm'), Buffer.from(match[1], 'base64'));
  writeFileSync(join(dir, 'essentia-wasm.cjs'), source.replace(embedded, 'var wasmBinaryFile="essentia.wasm"'));
}

/** Packages built into the bundle rather than left external (their own dependencies included). */
const BUNDLED_PACKAGES = ['zod'];

/** esbuild's `packages: 'external'`, except for `bundled` (bare imports of those and their subpaths are bundled). */
function externalPackagesExcept(bundled) {
  return {
    name: 'external-packages-except',
    setup(build) {
      // Bare specifiers only; `@/` is this repository's path alias (tsconfig), resolved as usual.
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || args.path.startsWith('@/') || args.kind === 'entry-point') return undefined;
        const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        if (bundled.includes(name)) return undefined;
        // Inside a bundled package, its relative imports resolve normally; bare ones go external like the rest.
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * zod's `locales` namespace with English alone. zod's index re-exports every locale it ships (`z.locales`), ~370 KB of
 * the ~730 KB of zod in the bundle, and every thread parsed them at start-up; only English is used (zod's default,
 * which its schemas register themselves). `z.locales.en` still exists; the other locales do not.
 */
function zodEnglishOnly() {
  return {
    name: 'zod-english-only',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
        if (!/[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)) return undefined;
        return { path: join(args.resolveDir, '../locales/en.js'), namespace: 'zod-english-only' };
      });
      build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(args.path)};\n`,
        resolveDir: repoRoot,
      }));
    },
  };
}

/** The folder of an up-to-date bundle, built first if needed. Throws if esbuild is missing or the build fails. */
export async function ensureRuntimeBundle() {
  const ready = current();
  if (ready) return ready;
  const { build } = await import('esbuild');
  // A file edited while the build runs counts as newer than the build.
  const builtMs = Date.now();
  const name = `runtime-${builtMs}-${process.pid}`;
  const dir = join(BUILD_DIR, name);
  mkdirSync(dir, { recursive: true });
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: ENTRIES,
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // npm packages stay external (resolved from node_modules at run time), except zod: its ~80 ESM files cost every
    // thread ~0.1 s of start-up to load one by one, and bundled it loads as part of a chunk.
    plugins: [zodEnglishOnly(), externalPackagesExcept(BUNDLED_PACKAGES)],
    sourcemap: 'linked',
    // Comments and indentation out: each thread reads and parses the bundle at start-up (its largest chunk 907 -> 715
    // KB, ASCII only; loading the master command ~40 ms less per thread). Stack traces then name columns of a chunk's
    // long lines: NODE_OPTIONS=--enable-source-maps turns them back into TypeScript lines through the linked maps.
    minifyWhitespace: true,
    metafile: true,
    logLevel: 'error',
    define: { __MASTERING_BUNDLE__: 'true' },
  });
  writeEssentiaGlue(dir);
  // Files of this repository only: packages are checked through their package.json, and modules a plugin made up
  // (zodEnglishOnly's, named `namespace:path`) have no file of their own to check.
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/') && !p.includes(':'));
  inputs.push(...BUNDLED_PACKAGES.map((name) => `node_modules/${name}/package.json`));
  inputs.push('scripts/runtimeBundle.mjs', 'package.json', 'tsconfig.json');
  const temporary = `${CURRENT}.${process.pid}`;
  writeFileSync(temporary, JSON.stringify({ dir: name, builtMs, inputs }));
  renameSync(temporary, CURRENT);
  for (const entry of readdirSync(BUILD_DIR)) {
    if (!entry.startsWith('runtime-') || entry === name) continue;
    const path = join(BUILD_DIR, entry);
    try {
      if (Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another build removing it at the same time: fine.
    }
  }
  return dir;
}
