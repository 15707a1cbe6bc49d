// Session cookies as browsers receive them: HttpOnly and SameSite=Lax always; Secure with the __Secure- prefix when
// the public URL is https (behind a TLS proxy), and then only that cookie opens a session. Sign-out clears it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './helpers/testServer';
import { call, signUp } from './helpers/webClient';

let t: TestServer;

before(async () => {
  t = await startTestServer();
});

after(async () => {
  await t?.stop();
});

interface SetCookie {
  name: string;
  value: string;
  attributes: Set<string>;
}

function setCookies(res: Response): SetCookie[] {
  return res.headers.getSetCookie().map((line) => {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes: new Set(attrs.map((a) => a.toLowerCase())) };
  });
}

async function credentialsSignIn(email: string, password: string): Promise<SetCookie[]> {
  const csrfRes = await fetch(`${t.baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = setCookies(csrfRes).map((c) => `${c.name}=${c.value}`);
  const res = await fetch(`${t.baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: jar.join('; ') },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true' }),
  });
  return [...setCookies(csrfRes), ...setCookies(res)];
}

const asCookie = (c: SetCookie) => ({ id: '', email: '', name: '', cookie: `${c.name}=${c.value}` });

test('over http: the session cookie is HttpOnly, SameSite=Lax, not Secure', async () => {
  await signUp(t.baseUrl, 'plain@example.com', 'Plain', 'a long enough password');
  const cookies = await credentialsSignIn('plain@example.com', 'a long enough password');
  const session = cookies.find((c) => c.name === 'next-auth.session-token');
  assert.ok(session, `no session cookie in ${cookies.map((c) => c.name).join(', ')}`);
  assert.ok(session.attributes.has('httponly'));
  assert.ok(session.attributes.has('samesite=lax'));
  assert.ok(session.attributes.has('path=/'));
  assert.ok(!session.attributes.has('secure'));
  assert.equal((await call(t.baseUrl, asCookie(session), 'GET', '/api/projects')).status, 200);
});

test('with an https public URL every auth cookie is Secure (and prefixed); only the secure session cookie is accepted', async () => {
  await signUp(t.baseUrl, 'tls@example.com', 'Tls', 'a long enough password');
  const saved = process.env.NEXTAUTH_URL;
  process.env.NEXTAUTH_URL = 'https://mastering.example';
  try {
    const cookies = await credentialsSignIn('tls@example.com', 'a long enough password');
    const session = cookies.find((c) => c.name === '__Secure-next-auth.session-token');
    assert.ok(session, `no secure session cookie in ${cookies.map((c) => c.name).join(', ')}`);
    for (const c of cookies.filter((c) => c.value)) {
      assert.ok(c.attributes.has('secure'), `${c.name} is Secure`);
      assert.ok(c.attributes.has('httponly'), `${c.name} is HttpOnly`);
    }
    assert.ok(session.attributes.has('samesite=lax'));
    assert.equal((await call(t.baseUrl, asCookie(session), 'GET', '/api/projects')).status, 200);
    const downgraded = { ...session, name: 'next-auth.session-token' };
    assert.equal((await call(t.baseUrl, asCookie(downgraded), 'GET', '/api/projects')).status, 401, 'the non-secure name is not read');
  } finally {
    process.env.NEXTAUTH_URL = saved;
  }
});

test('sign-out expires the session cookie', async () => {
  const user = await signUp(t.baseUrl, 'leaving@example.com', 'Leaving');
  const csrfRes = await fetch(`${t.baseUrl}/api/auth/csrf`, { headers: { Cookie: user.cookie } });
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = [user.cookie, ...setCookies(csrfRes).map((c) => `${c.name}=${c.value}`)];
  const res = await fetch(`${t.baseUrl}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: jar.join('; ') },
    body: new URLSearchParams({ csrfToken, json: 'true' }),
  });
  const cleared = setCookies(res).find((c) => c.name === 'next-auth.session-token');
  assert.ok(cleared, 'sign-out sets the session cookie');
  assert.equal(cleared.value, '');
  assert.ok([...cleared.attributes].some((a) => a === 'max-age=0' || a.startsWith('expires=thu, 01 jan 1970')));
});
