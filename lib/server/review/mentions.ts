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

/** Splits a body into text and mention parts for rendering; the UI renders every part as a text node. */
export function splitMentions(body: string, names: string[]): { text: string; mention: boolean }[] {
  const sorted = [...new Set(names)].filter(Boolean).sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return [{ text: body, mention: false }];
  const parts: { text: string; mention: boolean }[] = [];
  const lower = body.toLowerCase();
  let plainStart = 0;
  let i = 0;
  while (i < body.length) {
    let matched = 0;
    if (body[i] === '@') {
      for (const name of sorted) {
        const end = i + 1 + name.length;
        if (lower.slice(i + 1, end) === name.toLowerCase() && !/[\p{L}\p{N}_]/u.test(body.charAt(end))) {
          matched = name.length + 1;
          break;
        }
      }
    }
    if (matched) {
      if (i > plainStart) parts.push({ text: body.slice(plainStart, i), mention: false });
      parts.push({ text: body.slice(i, i + matched), mention: true });
      i += matched;
      plainStart = i;
    } else {
      i++;
    }
  }
  if (plainStart < body.length) parts.push({ text: body.slice(plainStart), mention: false });
  return parts;
}
