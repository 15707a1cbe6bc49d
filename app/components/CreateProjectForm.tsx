'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { api } from './api';

export function CreateProjectForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '');
    setBusy(true);
    setError(null);
    try {
      const project = await api<{ id: string }>('/api/projects', { method: 'POST', body: { name } });
      router.push(`/projects/${project.id}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  return (
    <form className="row" onSubmit={onSubmit}>
      <input name="name" placeholder="New project name, e.g. “Night Drive EP”" maxLength={120} style={{ flex: 1, minWidth: 220 }} required />
      <button type="submit" disabled={busy}>
        Create project
      </button>
      {error && <span className="error">{error}</span>}
    </form>
  );
}
