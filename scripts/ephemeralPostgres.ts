// A throw-away embedded PostgreSQL in a fresh temp folder, for tools that only need a server for a while (schema
// diffs, the test run). Removed again by stop().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../lib/server/db/embedded';

export async function startEphemeralPostgres(prefix: string, log: (m: string) => void = () => {}): Promise<EmbeddedPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // mkdtemp makes 0700 folders; as root the server runs as `postgres`, which must be able to enter it.
  fs.chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: dir, ephemeral: true, log });
  const stop = server.stop;
  const stopSync = server.stopSync;
  const removeFiles = () => {
    fs.rmSync(dir, { recursive: true, force: true });
    // A cluster placed outside `dir` (see chooseClusterDir) goes too.
    if (!server.clusterDir.startsWith(dir + path.sep)) fs.rmSync(path.dirname(server.clusterDir), { recursive: true, force: true });
  };
  return {
    ...server,
    async stop() {
      await stop();
      removeFiles();
    },
    stopSync() {
      stopSync();
      removeFiles();
    },
  };
}
