import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';

/** sha256 of a finished upload, streamed once so memory stays flat whatever the size or how many resumes it took. */
export async function sha256OfFile(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The first `headBytes` and last `tailBytes` of a file, for format probing without reading the middle. */
export async function readHeadAndTail(
  filePath: string,
  headBytes: number,
  tailBytes: number,
): Promise<{ head: Uint8Array; tail: Uint8Array; sizeBytes: number }> {
  const handle = await fs.open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(headBytes, size));
    await handle.read(head, 0, head.length, 0);
    const tailLength = Math.min(tailBytes, size);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    return { head, tail, sizeBytes: size };
  } finally {
    await handle.close();
  }
}
