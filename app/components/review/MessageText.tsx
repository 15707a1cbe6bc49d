'use client';

import { splitMentions } from './mentionParts';

/**
 * A comment or chat body as text nodes only (React escapes them), with @mentions of known members highlighted.
 * Never HTML: whatever someone typed, including <script>, shows as the characters they typed.
 */
export function MessageText({ body, mentionNames }: { body: string; mentionNames: string[] }) {
  return (
    <span className="message-text" data-testid="message-text">
      {splitMentions(body, mentionNames).map((part, i) =>
        part.mention ? (
          <span key={i} className="mention">
            {part.text}
          </span>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </span>
  );
}
