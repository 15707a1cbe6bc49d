/**
 * Worker-thread entry: decodes the bytes it is sent and transfers the PCM buffers back (no copy). Errors travel
 * as plain {name, message} because class identity does not survive structured cloning.
 */
import { parentPort } from 'node:worker_threads';
import { decodeAudio } from './decode';
import type { DecodeLimits } from './limits';

export interface DecodeWorkerRequest {
  bytes: Uint8Array;
  limits?: DecodeLimits;
}

export type DecodeWorkerReply =
  | { ok: true; sampleRate: number; channels: Float32Array[]; format: import('../types').FormatInfo }
  | { ok: false; name: string; message: string };

const port = parentPort;
if (!port) throw new Error('decodeWorker must run in a worker thread');

port.once('message', async ({ bytes, limits }: DecodeWorkerRequest) => {
  let reply: DecodeWorkerReply;
  try {
    const decoded = await decodeAudio(bytes, { limits });
    reply = { ok: true, sampleRate: decoded.sampleRate, channels: decoded.channels, format: decoded.format };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    reply = { ok: false, name: err.name, message: err.message };
  }
  const transfer = reply.ok ? [...new Set(reply.channels.map((c) => c.buffer as ArrayBuffer))] : [];
  port.postMessage(reply, transfer);
});
