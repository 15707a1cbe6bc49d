import { randomBytes } from 'node:crypto';

/**
 * Ids we need before the row exists (an asset's storage key is derived from its id). Shaped like Prisma's cuid()
 * defaults (lowercase, starts with a letter, 25 chars) so all ids look and validate alike.
 */
export function newId(): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const random = BigInt('0x' + randomBytes(10).toString('hex')).toString(36).padStart(15, '0').slice(0, 15);
  return `c${time}${random}`;
}
