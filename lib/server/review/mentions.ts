import { getPrisma } from '@/lib/server/db/client';

/**
 * Members mentioned in a message: those whose `@Name` appears in it (what the autocomplete inserts). Resolved to user
 * ids at write time, and only ever among the project's members, so a mention cannot reach outsiders.
 */
export async function resolveMentions(projectId: string, body: string): Promise<string[]> {
  if (!body.includes('@')) return [];
  const members = await getPrisma().membership.findMany({
    where: { projectId },
    select: { userId: true, user: { select: { name: true } } },
  });
  const lower = body.toLowerCase();
  return members
    .filter((m) => {
      const needle = `@${m.user.name.toLowerCase()}`;
      let at = lower.indexOf(needle);
      while (at >= 0) {
        // "@Ada" must not match inside "@Adam": the name has to end at a word boundary.
        const next = lower.charAt(at + needle.length);
        if (!/[\p{L}\p{N}_]/u.test(next)) return true;
        at = lower.indexOf(needle, at + 1);
      }
      return false;
    })
    .map((m) => m.userId);
}
