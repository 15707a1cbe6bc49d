'use client';

import { useReview } from './ReviewProvider';

/** Who has this track open right now (several tabs of one person count once). */
export function PresenceBar() {
  const { presence, live } = useReview();
  return (
    <div className="presence row" data-testid="presence" aria-label="Who is here">
      <span className={`live-dot${live ? ' on' : ''}`} title={live ? 'Live' : 'Reconnecting…'} />
      <span className="subtle" data-testid="live-state">{live ? 'Live' : 'Reconnecting…'}</span>
      {presence.map((p) => (
        <span key={p.key} className={`presence-chip ${p.kind}`} data-testid="presence-person" title={p.tabs > 1 ? `${p.tabs} tabs` : undefined}>
          {p.name}
          {p.kind === 'guest' ? ' (guest)' : ''}
        </span>
      ))}
    </div>
  );
}
