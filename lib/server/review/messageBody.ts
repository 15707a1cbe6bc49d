import { z } from 'zod';

/** Long enough for a detailed note on a mix, short enough that one comment cannot flood a room or a NOTIFY. */
export const MAX_MESSAGE_LENGTH = 5000;
export const MAX_GUEST_NAME_LENGTH = 60;

// Newlines and tabs are text; other control characters (NUL, escape sequences, bidi tricks aside) are refused.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Plain text only: stored as typed and always rendered as React text nodes, never as HTML. */
export const messageBodySchema = z
  .string({ error: 'Write something first' })
  .transform((s) => s.replace(/\r\n?/g, '\n').trim())
  .pipe(
    z
      .string()
      .min(1, 'Write something first')
      .max(MAX_MESSAGE_LENGTH, `Messages are limited to ${MAX_MESSAGE_LENGTH} characters`)
      .refine((s) => !CONTROL.test(s), 'The text contains control characters'),
  );

/** Chosen by the client once per send; retries of that send reuse it so the server can recognise them. */
export const clientKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,80}$/, 'clientKey must be 8-80 letters, digits, _ or -');

export const guestNameSchema = z
  .string({ error: 'Type your name' })
  .trim()
  .min(1, 'Type your name')
  .max(MAX_GUEST_NAME_LENGTH, `Names are limited to ${MAX_GUEST_NAME_LENGTH} characters`)
  .refine((s) => !CONTROL.test(s), 'The name contains control characters');
