'use client';

import { useRef, useState, type KeyboardEvent } from 'react';
import type { Member } from './ReviewProvider';

const MENTION_QUERY = /(?:^|\s)@([\p{L}\p{N}_ .'-]{0,40})$/u;

/**
 * A textarea that offers project members after "@"; picking one inserts "@Name ", which the server resolves to that
 * member. Enter sends (Shift+Enter for a new line) unless the suggestion list is open.
 */
export function MentionTextarea({
  value,
  onChange,
  onSubmit,
  members,
  placeholder,
  label,
  maxLength,
  disabled,
}: {
  value: string;
  onChange(value: string): void;
  onSubmit(): void;
  members: Member[];
  placeholder?: string;
  label: string;
  maxLength: number;
  disabled?: boolean;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const before = value.slice(0, caret);
  const query = MENTION_QUERY.exec(before)?.[1];
  const suggestions =
    query === undefined
      ? []
      : members.filter((m) => m.name.toLowerCase().startsWith(query.toLowerCase()) && m.name.toLowerCase() !== query.toLowerCase()).slice(0, 6);

  const pick = (member: Member) => {
    const start = before.lastIndexOf('@');
    const next = `${value.slice(0, start)}@${member.name} ${value.slice(caret)}`;
    onChange(next);
    const pos = start + member.name.length + 2;
    setCaret(pos);
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(pos, pos);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(suggestions[Math.min(active, suggestions.length - 1)]);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      onSubmit();
    }
  };

  return (
    <div className="mention-box">
      <textarea
        ref={ref}
        aria-label={label}
        value={value}
        placeholder={placeholder}
        disabled={disabled}
        rows={2}
        onChange={(e) => {
          onChange(e.target.value);
          setCaret(e.target.selectionStart);
          setActive(0);
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
      />
      {value.length > maxLength * 0.9 && (
        <div className={value.length > maxLength ? 'error' : 'subtle'} aria-live="polite">
          {value.length} / {maxLength}
        </div>
      )}
      {suggestions.length > 0 && (
        <ul className="mention-list" role="listbox" aria-label="Mention a member">
          {suggestions.map((m, i) => (
            <li key={m.userId} role="option" aria-selected={i === active}>
              <button type="button" className="ghost" onMouseDown={(e) => e.preventDefault()} onClick={() => pick(m)}>
                @{m.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
