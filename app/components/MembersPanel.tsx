'use client';

import { useState, type FormEvent } from 'react';
import type { MemberList } from '@/lib/server/projects/members';
import { api } from './api';

const ROLES = ['viewer', 'artist', 'engineer', 'owner'] as const;

export function MembersPanel({
  projectId,
  members,
  canManage,
  currentUserId,
  onChanged,
}: {
  projectId: string;
  members: MemberList;
  canManage: boolean;
  currentUserId: string;
  onChanged: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function run(action: () => Promise<unknown>, success?: string) {
    setError(null);
    setNotice(null);
    try {
      await action();
      if (success) setNotice(success);
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function invite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    await run(async () => {
      const result = await api<{ status: string; email: string }>(`/api/projects/${projectId}/members`, {
        method: 'POST',
        body: { email: data.get('email'), role: data.get('role') },
      });
      form.reset();
      setNotice(result.status === 'added' ? `${result.email} was added` : `Invite saved: ${result.email} joins on sign-up`);
    });
  }

  return (
    <div className="panel stack" data-testid="members-panel">
      <h2>Members</h2>
      <ul className="list">
        {members.members.map((m) => (
          <li key={m.id} className="list-item">
            <div>
              <div>{m.name}{m.userId === currentUserId ? ' (you)' : ''}</div>
              <div className="subtle">{m.email}</div>
            </div>
            {canManage ? (
              <div className="row">
                <select
                  value={m.role}
                  aria-label={`Role of ${m.email}`}
                  onChange={(e) => void run(() => api(`/api/projects/${projectId}/members/${m.id}`, { method: 'PATCH', body: { role: e.target.value } }))}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
                <button type="button" className="danger" onClick={() => void run(() => api(`/api/projects/${projectId}/members/${m.id}`, { method: 'DELETE' }))}>
                  Remove
                </button>
              </div>
            ) : (
              <span className={`badge ${m.role}`}>{m.role}</span>
            )}
          </li>
        ))}
      </ul>
      {canManage && members.invites.length > 0 && (
        <>
          <h2>Pending invites</h2>
          <ul className="list">
            {members.invites.map((i) => (
              <li key={i.id} className="list-item">
                <div>
                  <div>{i.email}</div>
                  <div className="subtle">{i.role}</div>
                </div>
                <button type="button" className="ghost" onClick={() => void run(() => api(`/api/projects/${projectId}/invites/${i.id}`, { method: 'DELETE' }))}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {canManage && (
        <form className="stack" onSubmit={invite}>
          <label>
            Invite by email
            <input name="email" type="email" placeholder="name@studio.com" required />
          </label>
          <div className="row">
            <select name="role" defaultValue="artist" aria-label="Role">
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <button type="submit">Invite</button>
          </div>
        </form>
      )}
      {notice && <span className="ok">{notice}</span>}
      {error && <span className="error" role="alert">{error}</span>}
    </div>
  );
}
