/**
 * `mastering` command line: dispatches to one file per subcommand. Exit codes: 0 ok, 1 unexpected failure,
 * 2 bad input or usage (a one-line reason on stderr).
 */
import { UsageError } from './usageError';

// Each command is loaded when it runs: `analyze` has no use for the render chain, encoders and settings schema that
// `master` pulls in, and loading them cost every analyze ~50-100 ms of CPU.
const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<void> }> = {
  analyze: {
    summary: 'analyze FILE [--json]   loudness, peaks, spectrum, stereo, dynamics, problems',
    run: async (args) => (await import('./analyzeCommand')).runAnalyzeCommand(args),
  },
  master: {
    summary: 'master MIX --reference REF --out FILE [...]   match a reference and render a master',
    run: async (args) => {
      // The chain worker (the second core: the references' analysis, then half of each render) starts first, so that
      // loading its code overlaps loading the command's on this thread (~0.2 s of CPU each).
      const { ChainWorker } = await import('../chain/chainWorkerClient');
      const worker = new ChainWorker();
      try {
        await (await import('./master')).runMasterCommand(args, { worker });
      } finally {
        await worker.close();
      }
    },
  },
};

function usage(): string {
  return ['usage: mastering <command> [options]', '', 'commands:', ...Object.values(COMMANDS).map((c) => `  ${c.summary}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`mastering: unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mastering ${name}: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`mastering ${name}: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    return 1;
  }
}
