// `npm test`: start ONE embedded PostgreSQL for the whole run (each test file makes its own database in it, see
// tests/helpers/database.ts), then run node's test runner over every *.test.ts. The runner's output goes straight
// through (CI reads its closing summary) and its exit code is ours. Node 20's runner does not expand globs itself,
// hence the file search here. Extra arguments are passed to the runner; plain paths replace the default file set.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureCorpus } from './corpus/ensureCorpus';
import { startEphemeralPostgres } from './ephemeralPostgres';

const ROOTS = ['lib', 'workers', 'tests', 'server', 'app'];
const SKIP = new Set(['node_modules', 'generated', '.next']);

function findTests(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(p, out);
    else if (/\.test\.tsx?$/.test(entry.name)) out.push(p);
  }
}

const args = process.argv.slice(2);
const explicitFiles = args.filter((a) => !a.startsWith('-'));
const runnerFlags = args.filter((a) => a.startsWith('-'));
const files: string[] = [];
if (explicitFiles.length) files.push(...explicitFiles);
else for (const root of ROOTS) findTests(root, files);
files.sort();

// The real-music tests (essentia cross-check, matching quality bars) need the corpus; fetch it once into the
// git-ignored .corpus/ so a fresh clone's `npm test` is complete without a separate step.
if (process.env.MASTERING_SKIP_CORPUS !== '1' && !process.env.MASTERING_CORPUS_DIR) ensureCorpus();

const server = await startEphemeralPostgres('mastering-test-run-');
let exitCode = 1;
try {
  exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...runnerFlags, ...files], {
      stdio: 'inherit',
      env: { ...process.env, TEST_PG_ADMIN_URL: server.adminUrl },
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
} finally {
  await server.stop();
}
process.exit(exitCode);
