'use client';

import { useState } from 'react';
import type { ApprovalDto } from '@/lib/server/review/reviewEvents';
import { useReview } from './ReviewProvider';

const CAN_APPROVE = new Set(['artist', 'engineer', 'owner']);

/** Approve / revoke a master version, and the "Approved by X on date" badge that shows on the version. */
export function ApprovalControls({ assetId }: { assetId: string }) {
  const { approvals, viewer, setApproval } = useReview();
  const approval = approvals[assetId];
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const act = async (method: 'POST' | 'DELETE') => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/assets/${assetId}/approval`, { method });
      const data = res.status === 204 ? null : await res.json().catch(() => ({}));
      if (!res.ok) setError(data?.error ?? `Failed (${res.status})`);
      else setApproval(assetId, method === 'POST' ? (data as ApprovalDto) : null);
    } catch {
      setError('The connection dropped; try again');
    } finally {
      setBusy(false);
    }
  };

  const canApprove = !!viewer && CAN_APPROVE.has(viewer.role);
  const canRevoke = !!approval && approval.revocable && (approval.user.id === viewer?.id || viewer?.role === 'owner');
  return (
    <div className="approval row" data-testid="approval">
      {approval ? (
        <span className="badge ready" data-testid="approved-badge" title={approval.createdAt}>
          Approved by {approval.user.name} · {new Date(approval.createdAt).toLocaleString()}
        </span>
      ) : (
        canApprove && (
          <button type="button" disabled={busy} onClick={() => act('POST')}>
            Approve
          </button>
        )
      )}
      {canRevoke && (
        <button type="button" className="ghost small" disabled={busy} onClick={() => act('DELETE')}>
          Revoke approval
        </button>
      )}
      {approval && !approval.revocable && <span className="subtle">final (delivered)</span>}
      {error && <span className="error" role="alert">{error}</span>}
    </div>
  );
}
