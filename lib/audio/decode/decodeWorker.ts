/**
 * Worker-thread entry: decodes the bytes it is sent and transfers the PCM buffers back (no copy). Errors travel
 * as plain {name, message} because class identity does not survive structured cloning.
 *
 * With a `ringControl`, FLAC, MP3, Ogg Vorbis and Opus are streamed instead: a 'start' message carries the shared
 * ring's sample buffers, the samples flow through the ring (sampleRing.ts) as they are decoded, and the reply carries
 * only the format. WAV and AIFF (and Vorbis the direct reader leaves to the general decoder) are decoded whole as
 * usual; if that turns out only after samples were streamed (a chained Vorbis file), the reply says `restart` and
 * carries the whole decode.
 */
import { parentPort } from 'node:worker_threads';
import { decodeToSink, type CompressedContainer } from './compressed';
import { decodeAudio } from './decode';
import type { DecodeLimits } from './limits';
import { sniffContainer } from './probe';
import { RingCancelled, RingWriter } from './sampleRing';
import type { FormatInfo } from '../types';

export interface DecodeWorkerRequest {
  bytes: Uint8Array;
  limits?: DecodeLimits;
  /** Shared control words of a sample ring: stream Ogg Vorbis through it. */
  ringControl?: SharedArrayBuffer;
}

export type DecodeWorkerReply =
  | { ok: true; streamed?: false; restart?: boolean; sampleRate: number; channels: Float32Array[]; format: FormatInfo }
  | { ok: true; streamed: true; format: FormatInfo }
  | { ok: false; name: string; message: string };

/** Sent before the first streamed sample. */
export interface DecodeWorkerStart {
  start: true;
  sampleRate: number;
  channelCount: number;
  /** The header's length (NaN when unknown): sizes the consumer's outputs. */
  expectedFrames: number;
  ringData: SharedArrayBuffer[];
}

const port = parentPort;
if (!port) throw new Error('decodeWorker must run in a worker thread');

port.once('message', async ({ bytes, limits, ringControl }: DecodeWorkerRequest) => {
  let reply: DecodeWorkerReply;
  let writer: RingWriter | undefined;
  try {
    const container = sniffContainer(bytes.subarray(0, 1024 * 1024));
    const streamable = container === 'ogg' || container === 'flac' || container === 'mp3';
    const format = ringControl && streamable
      ? await decodeToSink(bytes, container as CompressedContainer, limits, {
          start: (sampleRate, channelCount, expectedFrames) => {
            writer = new RingWriter(ringControl, channelCount);
            const start: DecodeWorkerStart = { start: true, sampleRate, channelCount, expectedFrames, ringData: writer.data };
            port.postMessage(start);
          },
          write: (channels, frames) => writer!.write(channels, frames),
        })
      : null;
    if (format) {
      writer?.close();
      reply = { ok: true, streamed: true, format };
    } else {
      const decoded = await decodeAudio(bytes, { limits });
      reply = { ok: true, restart: writer !== undefined, sampleRate: decoded.sampleRate, channels: decoded.channels, format: decoded.format };
      // The reader stops waiting for slots: this reply replaces whatever it read.
      writer?.fail();
    }
  } catch (e) {
    writer?.fail();
    const err = e instanceof RingCancelled ? new Error('cancelled') : e instanceof Error ? e : new Error(String(e));
    reply = { ok: false, name: err.name, message: err.message };
  }
  const transfer = reply.ok && !reply.streamed ? [...new Set(reply.channels.map((c) => c.buffer as ArrayBuffer))] : [];
  port.postMessage(reply, transfer);
});
