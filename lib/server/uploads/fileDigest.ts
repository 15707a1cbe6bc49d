import fs from 'node:fs/promises';

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
