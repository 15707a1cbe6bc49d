// Stands in for a standalone worker: no socket.io server in this process, just emitProjectEvent and exit.
import { closeDatabase } from '../../lib/server/db/client';
import { emitProjectEvent } from '../../lib/server/realtime/emitter';

const [projectId, jobId] = process.argv.slice(2);
await emitProjectEvent(projectId, 'job:progress', { jobId, projectId, type: 'analyze', state: 'active', progress: 42, step: 'from a worker' });
await closeDatabase();
