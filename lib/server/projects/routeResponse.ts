import { requireSessionUser, type SessionUser } from '@/lib/server/auth/sessionUser';
import { ServiceError } from './serviceError';

/** Small JSON bodies only: forms and settings. Uploads never come through here (they go to tus). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

export function errorResponse(error: unknown): Response {
  if (error instanceof ServiceError) {
    return Response.json({ error: error.message, code: error.code, fields: error.fields }, { status: error.status });
  }
  console.error('[api]', error);
  return Response.json({ error: 'Something went wrong on the server', code: 'internal' }, { status: 500 });
}

/** Runs a route body and maps ServiceErrors to their status; anything else is a 500 without internals. */
export async function respond(fn: () => Promise<unknown>, successStatus = 200): Promise<Response> {
  try {
    const result = await fn();
    if (result instanceof Response) return result;
    if (result === undefined) return new Response(null, { status: 204 });
    return Response.json(result, { status: successStatus });
  } catch (error) {
    return errorResponse(error);
  }
}

/** A signed-in route: 401 before anything else runs. */
export function withUser(req: Request, fn: (user: SessionUser) => Promise<unknown>, successStatus = 200): Promise<Response> {
  return respond(async () => fn(await requireSessionUser(req)), successStatus);
}

/** Reads a JSON body with a hard size cap, streaming, so an oversized body costs at most the cap in memory. */
export async function readJsonBody(req: Request, maxBytes = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new ServiceError(413, 'too_large', `Request body is larger than ${maxBytes} bytes`);
  if (!req.body) throw new ServiceError(400, 'invalid_json', 'Request body must be JSON');
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new ServiceError(413, 'too_large', `Request body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ServiceError(400, 'invalid_json', 'Request body must be JSON');
  }
}
