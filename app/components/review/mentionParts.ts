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
