// A signed-in HTTP client for integration tests: real sign-up and next-auth credentials sign-in over HTTP.
export interface WebUser {
  id: string;
  email: string;
  name: string;
  cookie: string;
}

function cookiesFrom(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]);
}

export async function signUp(baseUrl: string, email: string, name = email.split('@')[0], password = 'correct horse battery'): Promise<WebUser> {
  const res = await fetch(`${baseUrl}/api/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, name }),
  });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const user = (await res.json()) as { id: string };
  return { id: user.id, email, name, cookie: await signIn(baseUrl, email, password) };
}

export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = cookiesFrom(csrfRes);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: jar.join('; ') },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true' }),
  });
  const session = cookiesFrom(res).find((c) => c.startsWith('next-auth.session-token='));
  if (!session) throw new Error(`sign-in failed for ${email}: ${res.status}`);
  return session;
}

export async function call(
  baseUrl: string,
  user: WebUser | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(user ? { Cookie: user.cookie } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = method === 'HEAD' ? '' : await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** tus Upload-Metadata: comma-separated `key base64(value)` pairs. */
export function tusMetadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
}

export interface TusResult {
  createStatus: number;
  createText: string;
  location?: string;
  patchStatus?: number;
  patchText?: string;
  assetId?: string | null;
}

/** A plain tus 1.0 creation + one PATCH, as tus-js-client would do it for a small file. */
export async function tusUpload(
  baseUrl: string,
  user: WebUser | null,
  bytes: Uint8Array,
  metadata: Record<string, string>,
  options: { declaredLength?: number; sendBytes?: number } = {},
): Promise<TusResult> {
  const auth: Record<string, string> = user ? { Cookie: user.cookie } : {};
  const create = await fetch(`${baseUrl}/api/uploads`, {
    method: 'POST',
    headers: {
      ...auth,
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(options.declaredLength ?? bytes.length),
      'Upload-Metadata': tusMetadata(metadata),
    },
  });
  const result: TusResult = { createStatus: create.status, createText: await create.text() };
  if (create.status !== 201) return result;
  result.location = create.headers.get('location') ?? undefined;
  const body = bytes.subarray(0, options.sendBytes ?? bytes.length);
  const patch = await fetch(`${baseUrl}${result.location}`, {
    method: 'PATCH',
    headers: { ...auth, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: Buffer.from(body),
  });
  result.patchStatus = patch.status;
  result.patchText = await patch.text();
  result.assetId = patch.headers.get('upload-asset-id');
  return result;
}

/** A short 16-bit stereo WAV with a sine in it. */
export function makeWav(seconds = 0.5, sampleRate = 44100, channels = 2): Uint8Array {
  const frames = Math.round(seconds * sampleRate);
  const dataBytes = frames * channels * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8);
  buf.write('fmt ', 12);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * 2, 28);
  buf.writeUInt16LE(channels * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
    for (let c = 0; c < channels; c++) buf.writeInt16LE(v, 44 + (i * channels + c) * 2);
  }
  return buf;
}
