'use client';

import { useState } from 'react';
import type { VersionView } from '@/lib/server/projects/versions';
import { diffMeasurements, diffSettings } from './settingsDiff';

/** What changed between two versions: settings (masters) and measurements (any two sources). */
export function VersionCompare({ versions }: { versions: VersionView[] }) {
  const masters = versions.filter((v) => v.kind === 'master');
  const [aId, setAId] = useState<string>(() => masters[1]?.id ?? versions.find((v) => v.kind === 'mix')?.id ?? versions[0]?.id ?? '');
  const [bId, setBId] = useState<string>(() => masters[0]?.id ?? versions[0]?.id ?? '');
  const a = versions.find((v) => v.id === aId);
  const b = versions.find((v) => v.id === bId);
  if (versions.length < 2) return <div className="empty">Two versions are needed for a comparison.</div>;
  const settingsRows = a?.settings && b?.settings ? diffSettings(a.settings, b.settings) : null;
  const measurementRows = diffMeasurements(a?.measurements ?? null, b?.measurements ?? null);
  const pick = (value: string, set: (id: string) => void, label: string) => (
    <label className="inline">
      {label}{' '}
      <select value={value} onChange={(e) => set(e.target.value)} aria-label={label}>
        {versions.map((v) => (
          <option key={v.id} value={v.id}>
            {v.label}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="stack" data-testid="version-compare">
      <div className="row">
        {pick(aId, setAId, 'From')}
        <span aria-hidden>→</span>
        {pick(bId, setBId, 'To')}
      </div>
      <table className="diff">
        <thead>
          <tr>
            <th>Measurement</th>
            <th>{a?.label}</th>
            <th>{b?.label}</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {measurementRows.map((r) => (
            <tr key={r.label}>
              <td>{r.label}</td>
              <td>{r.before === null ? '—' : `${r.before.toFixed(r.unit ? 1 : 2)} ${r.unit}`}</td>
              <td>{r.after === null ? '—' : `${r.after.toFixed(r.unit ? 1 : 2)} ${r.unit}`}</td>
              <td className={r.delta !== null && Math.abs(r.delta) >= 0.5 ? 'changed' : ''}>
                {r.delta === null ? '—' : `${r.delta > 0 ? '+' : ''}${r.delta.toFixed(r.unit ? 1 : 2)}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {settingsRows === null ? (
        <div className="subtle">Settings are compared between two master versions.</div>
      ) : settingsRows.length === 0 ? (
        <div className="subtle" data-testid="settings-diff-empty">Same settings.</div>
      ) : (
        <table className="diff" data-testid="settings-diff">
          <thead>
            <tr>
              <th>Setting</th>
              <th>{a?.label}</th>
              <th>{b?.label}</th>
            </tr>
          </thead>
          <tbody>
            {settingsRows.slice(0, 80).map((r) => (
              <tr key={r.path}>
                <td>
                  <code>{r.path}</code>
                </td>
                <td>{r.before}</td>
                <td className="changed">{r.after}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
