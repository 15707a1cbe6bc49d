'use client';

import { useEffect, useMemo, useState } from 'react';
import { effectiveMidSideCurves } from '@/lib/mastering/chain/effectiveCurves';
import { masteringSettingsSchema, PLATFORM_TARGETS_LUFS, type EqBand, type MasteringSettings, type Platform } from '@/lib/mastering/settings';
import type { VersionView } from '@/lib/server/projects/versions';
import type { EqOverlay } from './TonalBalanceChart';

export interface MasterRequest {
  mixId: string;
  referenceIds: string[];
  settings?: MasteringSettings;
}

/**
 * A render from given settings uses the stored drive and trim as they are, so a new target only changes the sound if
 * the drive moves with it: the limiter's input gain follows the target change (1 dB per dB; exact below the limiter's
 * threshold, a little short of it when the limiter already works hard).
 */
export function retarget(s: MasteringSettings, targetLufs: number): void {
  const delta = targetLufs - s.loudness.targetLufs;
  s.loudness.targetLufs = targetLufs;
  s.loudness.limiterInputGainDb = Math.round(Math.max(-24, Math.min(36, s.loudness.limiterInputGainDb + delta)) * 100) / 100;
}

export type EqChannel = 'mid' | 'side';

/** The overlay the tonal chart draws for the settings being edited: the channel's rendered curve and its bands. */
export function eqOverlayOf(settings: MasteringSettings, channel: EqChannel = 'mid'): EqOverlay {
  const curves = effectiveMidSideCurves(settings);
  return { frequenciesHz: curves.frequenciesHz, gainDb: channel === 'mid' ? curves.midDb : curves.sideDb, bands: settings.eq.bands[channel] };
}

function NumberField(props: { label: string; value: number; step?: number; min?: number; max?: number; unit?: string; disabled?: boolean; onChange: (v: number) => void }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="number"
        value={Number.isFinite(props.value) ? Math.round(props.value * 100) / 100 : ''}
        step={props.step ?? 0.1}
        min={props.min}
        max={props.max}
        disabled={props.disabled}
        aria-label={props.unit ? `${props.label} (${props.unit})` : props.label}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (e.target.value !== '' && Number.isFinite(v)) props.onChange(v);
        }}
      />
      {props.unit && <em>{props.unit}</em>}
    </label>
  );
}

function Amount(props: { label: string; value: number; disabled?: boolean; onChange: (v: number) => void }) {
  return (
    <label className="field amount">
      <span>{props.label}</span>
      <input type="range" min={0} max={100} value={Math.round(props.value * 100)} disabled={props.disabled} onChange={(e) => props.onChange(Number(e.target.value) / 100)} />
      <em>{Math.round(props.value * 100)}%</em>
    </label>
  );
}

/**
 * The derived chain as controls. "Master" derives settings from the mix and the chosen references; "Render" renders
 * the edited settings as-is into a new version. Only engineers and owners see it enabled (the server refuses others).
 */
export function SettingsPanel(props: {
  versions: VersionView[];
  base: VersionView | null;
  canRender: boolean;
  busy: boolean;
  draft: MasteringSettings | null;
  onDraftChange: (draft: MasteringSettings | null) => void;
  onRender: (request: MasterRequest) => Promise<void>;
  /** Which channel's bands are edited (the tonal chart shows the same one). */
  eqChannel?: EqChannel;
  onEqChannelChange?: (channel: EqChannel) => void;
}) {
  const channel = props.eqChannel ?? 'mid';
  const mixes = props.versions.filter((v) => v.kind === 'mix' && v.status === 'ready');
  const refs = props.versions.filter((v) => v.kind === 'reference' && v.status === 'ready');
  const [mixId, setMixId] = useState(props.base?.sourceMixId ?? mixes[0]?.id ?? '');
  const [refIds, setRefIds] = useState<string[]>(props.base?.referenceIds ?? refs.slice(0, 1).map((r) => r.id));
  const [error, setError] = useState<string | null>(null);
  const draft = props.draft;

  useEffect(() => {
    if (!mixId && mixes[0]) setMixId(mixes[0].id);
    if (refIds.length === 0 && refs[0] && !props.base) setRefIds([refs[0].id]);
  }, [mixes.length, refs.length]); // eslint-disable-line react-hooks/exhaustive-deps

  const validation = useMemo(() => (draft ? masteringSettingsSchema.safeParse(draft) : null), [draft]);
  const edit = (change: (s: MasteringSettings) => void) => {
    if (!draft) return;
    const next = structuredClone(draft);
    change(next);
    props.onDraftChange(next);
  };
  const editBand = (index: number, patch: Partial<EqBand>) =>
    edit((s) => {
      s.eq.mode = 'bands';
      s.eq.bands[channel][index] = { ...s.eq.bands[channel][index], ...patch };
    });
  const disabled = !props.canRender || props.busy;

  const submit = async (request: MasterRequest) => {
    setError(null);
    try {
      await props.onRender(request);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div className="stack settings-panel" data-testid="settings-panel">
      {!props.canRender && <div className="subtle">Only engineers and owners can render masters; you can look at the settings.</div>}
      <div className="row wrap">
        <label className="field">
          <span>Mix</span>
          <select value={mixId} onChange={(e) => setMixId(e.target.value)} disabled={disabled} aria-label="Mix to master">
            {mixes.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="refs">
          <legend>References</legend>
          {refs.length === 0 && <span className="subtle">none uploaded</span>}
          {refs.map((r) => (
            <label key={r.id} className="inline">
              <input
                type="checkbox"
                checked={refIds.includes(r.id)}
                disabled={disabled}
                onChange={(e) => setRefIds((ids) => (e.target.checked ? [...ids, r.id] : ids.filter((x) => x !== r.id)))}
              />
              {r.label}
            </label>
          ))}
        </fieldset>
        <button
          type="button"
          className="primary"
          disabled={disabled || !mixId || refIds.length === 0}
          onClick={() => submit({ mixId, referenceIds: refIds })}
          title="Derive settings from the mix and the references and render a new master"
        >
          Master
        </button>
      </div>

      {!draft ? (
        <div className="subtle">Select a master version to see and edit the settings it was made with.</div>
      ) : (
        <>
          <div className="subtle">Editing the settings of {props.base?.label ?? 'a master'}; Render makes a new version, the original stays.</div>
          <section className="settings-group">
            <h3>Loudness</h3>
            <div className="row wrap">
              <label className="field">
                <span>Target</span>
                <select
                  value={draft.loudness.platform ?? 'custom'}
                  disabled={disabled}
                  aria-label="Loudness target"
                  onChange={(e) =>
                    edit((s) => {
                      const p = e.target.value;
                      if (p === 'custom') {
                        s.loudness.platform = null;
                        s.loudness.source = 'custom';
                      } else {
                        s.loudness.platform = p as Platform;
                        s.loudness.source = 'platform';
                        retarget(s, PLATFORM_TARGETS_LUFS[p as Platform]);
                      }
                    })
                  }
                >
                  <option value="custom">custom</option>
                  {Object.entries(PLATFORM_TARGETS_LUFS).map(([p, lufs]) => (
                    <option key={p} value={p}>
                      {p} ({lufs} LUFS)
                    </option>
                  ))}
                </select>
              </label>
              <NumberField label="Target" unit="LUFS" value={draft.loudness.targetLufs} min={-40} max={0} disabled={disabled} onChange={(v) => edit((s) => (retarget(s, v), (s.loudness.platform = null), (s.loudness.source = 'custom')))} />
              <NumberField label="Ceiling" unit="dBTP" value={draft.loudness.ceilingDbtp} min={-12} max={0} disabled={disabled} onChange={(v) => edit((s) => (s.loudness.ceilingDbtp = v))} />
              <label className="inline" title="When on, the render finds the limiter drive and output gain that meet the target; editing either turns it off">
                <input type="checkbox" checked={draft.loudness.mode === 'target'} disabled={disabled} onChange={(e) => edit((s) => (s.loudness.mode = e.target.checked ? 'target' : 'manual'))} /> Hit the target
              </label>
              <NumberField label={draft.loudness.mode === 'target' ? 'Limiter drive (found by the render)' : 'Limiter drive'} unit="dB" value={draft.loudness.limiterInputGainDb} min={-24} max={36} disabled={disabled} onChange={(v) => edit((s) => ((s.loudness.limiterInputGainDb = v), (s.loudness.mode = 'manual')))} />
              <NumberField label="Release" unit="ms" step={5} value={draft.loudness.limiterReleaseMs} min={1} max={2000} disabled={disabled} onChange={(v) => edit((s) => (s.loudness.limiterReleaseMs = v))} />
              <NumberField label={draft.loudness.mode === 'target' ? 'Output gain (found by the render)' : 'Output gain'} unit="dB" value={draft.loudness.outputGainDb} min={-40} max={6} disabled={disabled} onChange={(v) => edit((s) => ((s.loudness.outputGainDb = v), (s.loudness.mode = 'manual')))} />
            </div>
          </section>
          <section className="settings-group">
            <h3>
              <label className="inline">
                <input type="checkbox" checked={draft.eq.enabled} disabled={disabled} onChange={(e) => edit((s) => (s.eq.enabled = e.target.checked))} /> EQ
              </label>
              <span className="subtle eq-mode">
                {draft.eq.mode === 'curve' ? 'matched curve' : 'bands'}
                {draft.eq.bands[channel].length > 0
                  ? ' · drag the handles on the tonal chart'
                  : channel === 'side'
                    ? ' · the side follows the mid: add a band to shape it on its own'
                    : ' · no bands: add one to shape it by hand'}
              </span>
            </h3>
            <div className="row">
              <Amount label="Amount" value={draft.eq.amount} disabled={disabled} onChange={(v) => edit((s) => (s.eq.amount = v))} />
              <div className="segmented" role="group" aria-label="EQ bands of">
                {(['mid', 'side'] as const).map((c) => (
                  <button key={c} type="button" className={channel === c ? 'on' : ''} aria-pressed={channel === c} onClick={() => props.onEqChannelChange?.(c)}>
                    {c === 'mid' ? 'Mid' : 'Side'} ({draft.eq.bands[c].length})
                  </button>
                ))}
              </div>
            </div>
            <table className="bands">
              <tbody>
                {draft.eq.bands[channel].map((b, i) => (
                  <tr key={i} data-testid="eq-band">
                    <td>
                      <select value={b.type} disabled={disabled} onChange={(e) => editBand(i, { type: e.target.value as EqBand['type'] })} aria-label={`Band ${i + 1} type`}>
                        <option value="lowShelf">low shelf</option>
                        <option value="peak">peak</option>
                        <option value="highShelf">high shelf</option>
                      </select>
                    </td>
                    <td>
                      <NumberField label="Hz" step={1} value={b.frequencyHz} min={10} max={24000} disabled={disabled} onChange={(v) => editBand(i, { frequencyHz: v })} />
                    </td>
                    <td>
                      <NumberField label="dB" value={b.gainDb} min={-24} max={24} disabled={disabled} onChange={(v) => editBand(i, { gainDb: v })} />
                    </td>
                    <td>
                      <NumberField label="Q" value={b.q} min={0.1} max={10} disabled={disabled} onChange={(v) => editBand(i, { q: v })} />
                    </td>
                    <td>
                      <button type="button" disabled={disabled} onClick={() => edit((s) => ((s.eq.mode = 'bands'), s.eq.bands[channel].splice(i, 1)))} aria-label={`Remove band ${i + 1}`}>
                        ×
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button
              type="button"
              disabled={disabled || draft.eq.bands[channel].length >= 16}
              onClick={() => edit((s) => ((s.eq.mode = 'bands'), (s.eq.enabled = true), s.eq.bands[channel].push({ type: 'peak', frequencyHz: 1000, gainDb: 0, q: 1 })))}
            >
              Add band
            </button>
          </section>
          <section className="settings-group">
            <h3>
              <label className="inline">
                <input type="checkbox" checked={draft.dynamics.enabled} disabled={disabled} onChange={(e) => edit((s) => (s.dynamics.enabled = e.target.checked))} /> Compressor
              </label>
            </h3>
            <div className="row wrap">
              <Amount label="Amount" value={draft.dynamics.amount} disabled={disabled} onChange={(v) => edit((s) => (s.dynamics.amount = v))} />
              <NumberField label="Threshold" unit="dB" value={draft.dynamics.compressor.thresholdDb} disabled={disabled} onChange={(v) => edit((s) => (s.dynamics.compressor.thresholdDb = v))} />
              <NumberField label="Ratio" value={draft.dynamics.compressor.ratio} min={1} max={20} disabled={disabled} onChange={(v) => edit((s) => (s.dynamics.compressor.ratio = v))} />
              <NumberField label="Attack" unit="ms" value={draft.dynamics.compressor.attackMs} min={0.1} disabled={disabled} onChange={(v) => edit((s) => (s.dynamics.compressor.attackMs = v))} />
              <NumberField label="Release" unit="ms" step={5} value={draft.dynamics.compressor.releaseMs} min={1} disabled={disabled} onChange={(v) => edit((s) => (s.dynamics.compressor.releaseMs = v))} />
            </div>
          </section>
          <section className="settings-group">
            <h3>
              <label className="inline">
                <input type="checkbox" checked={draft.stereo.enabled} disabled={disabled} onChange={(e) => edit((s) => (s.stereo.enabled = e.target.checked))} /> Width
              </label>
            </h3>
            <div className="row wrap">
              <Amount label="Amount" value={draft.stereo.amount} disabled={disabled} onChange={(v) => edit((s) => (s.stereo.amount = v))} />
              <label className="field">
                <span>Mono bass below</span>
                <input
                  type="number"
                  value={draft.stereo.monoBelowHz ?? ''}
                  placeholder="off"
                  min={20}
                  max={500}
                  disabled={disabled}
                  onChange={(e) => edit((s) => (s.stereo.monoBelowHz = e.target.value === '' ? null : Number(e.target.value)))}
                />
                <em>Hz</em>
              </label>
            </div>
          </section>
          {validation && !validation.success && (
            <div className="error" role="alert">
              {validation.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}
            </div>
          )}
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={disabled || !validation?.success || !mixId}
              onClick={() => submit({ mixId, referenceIds: refIds, settings: draft })}
            >
              Render
            </button>
            <button type="button" disabled={disabled} onClick={() => props.onDraftChange(props.base?.settings ? structuredClone(props.base.settings) : null)}>
              Reset
            </button>
          </div>
        </>
      )}
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
