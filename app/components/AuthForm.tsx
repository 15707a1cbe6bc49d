'use client';

import { signIn } from 'next-auth/react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';

export function AuthForm({ mode }: { mode: 'signin' | 'signup' }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    try {
      if (mode === 'signup') {
        const res = await fetch('/api/signup', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email, password, name: String(form.get('name') ?? '') }),
        });
        if (!res.ok) {
          const body = (await res.json().catch(() => ({}))) as { error?: string; fields?: Record<string, string> };
          setFieldErrors(body.fields ?? {});
          setError(body.error ?? `Sign-up failed (${res.status})`);
          return;
        }
      }
      const result = await signIn('credentials', { email, password, redirect: false });
      if (!result || result.error) {
        setError('Wrong email or password');
        return;
      }
      router.push('/projects');
      router.refresh();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="panel auth-card">
      <h1>{mode === 'signup' ? 'Create your account' : 'Sign in'}</h1>
      <p className="subtle">{mode === 'signup' ? 'Invites to your email are waiting once you sign up.' : 'Welcome back.'}</p>
      <form className="stack" onSubmit={onSubmit} noValidate>
        {mode === 'signup' && (
          <label>
            Name
            <input name="name" autoComplete="name" maxLength={80} required />
            {fieldErrors.name && <span className="error">{fieldErrors.name}</span>}
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
          {fieldErrors.email && <span className="error">{fieldErrors.email}</span>}
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete={mode === 'signup' ? 'new-password' : 'current-password'} required minLength={mode === 'signup' ? 8 : undefined} />
          {fieldErrors.password && <span className="error">{fieldErrors.password}</span>}
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Please wait…' : mode === 'signup' ? 'Create account' : 'Sign in'}
        </button>
      </form>
      <p className="subtle">
        {mode === 'signup' ? (
          <>
            Already have an account? <Link href="/signin">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/signup">Create an account</Link>
          </>
        )}
      </p>
    </div>
  );
}
