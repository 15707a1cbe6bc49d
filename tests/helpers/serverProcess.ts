// A second web process for cluster tests: starts server/http.ts with the env it is given and prints its port.
import { startHttpServer } from '../../server/http';

const server = await startHttpServer({ port: 0, dev: false, hostname: '127.0.0.1', uploads: { sweepIntervalMs: 0 } });
process.stdout.write(`LISTENING ${server.port}\n`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
