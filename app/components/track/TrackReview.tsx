'use client';

import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { MasteringSettings } from '@/lib/mastering/settings';
import type { MasterJobView, TrackReview as TrackReviewData, VersionView } from '@/lib/server/projects/versions';
import { api } from '../api';
import { RECONNECTED, useCommentMarkers, useReviewEvents } from '../review/ReviewProvider';
import { SOURCE_COLORS } from './chartScale';
import { LiveMeter } from './LiveMeter';
import { LoudnessChart } from './LoudnessChart';
import { MeterPanel } from './MeterPanel';
import { eqOverlayOf, SettingsPanel, type EqChannel, type MasterRequest } from './SettingsPanel';
import { SyncedPlayer } from './syncedPlayer';
import { TonalBalanceChart } from './TonalBalanceChart';
import { VersionCompare } from './VersionCompare';
import { VersionStack } from './VersionStack';
import { Waveform, type TimeRange, type WaveformPeaks } from './Waveform';

/** A time (click) or range (drag) on the waveform for the next comment; seq changes with every gesture. */
export interface CommentAnchor {
  startSeconds: number;
  endSeconds: number | null;
  seq: number;
}

const RANK = { viewer: 0, artist: 1, engineer: 2, owner: 3 } as const;
const MAX_LOADED = 8;

function formatClock(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, '0')}`;
}

/** What goes into the player at first: newest mix, newest master, every reference. */
function defaultLoaded(versions: VersionView[]): string[] {
  const ready = versions.filter((v) => v.status === 'ready');
  const master = ready.find((v) => v.kind === 'master');
  const mix = ready.find((v) => v.kind === 'mix');
  const refs = ready.filter((v) => v.kind === 'reference');
  return [mix, master, ...refs].filter((v): v is VersionView => Boolean(v)).map((v) => v.id).slice(0, MAX_LOADED);
}

/** "Ari Artist" -> "AA", "Gina Guest (guest)" -> "GG": a marker label small enough that close comments stay apart. */
function initials(name: string): string {
  const words = name.replace(/\(guest\)$/, '').trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] ?? '?').slice(0, 2)).toUpperCase();
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export interface TrackReviewSlots {
  /** Comments beside the player (H13's CommentsPanel); gets the player state it needs. */
  comments?: (p: {
    versions: { id: string; label: string }[];
    currentAssetId: string | null;
    currentTimeSeconds: number;
    /** Where the next comment goes: set by a click (a time) or a drag (a range) on the waveform. */
    anchor: CommentAnchor | null;
    onSeek: (timeSeconds: number, assetId: string) => void;
  }) => ReactNode;
  side?: ReactNode;
  header?: ReactNode;
  masterExtras?: (version: VersionView) => ReactNode;
}

/**
 * The track page: version stack, the synced A/B player with waveform, charts and meters, settings and compare. Live:
 * new versions, analysis results and render progress arrive over the review socket without a reload.
 */
export function TrackReview({ initial, slots }: { initial: TrackReviewData; slots?: TrackReviewSlots }) {
  const [review, setReview] = useState(initial);
  const [jobs, setJobs] = useState<MasterJobView[]>(initial.masterJobs);
  const [loadedIds, setLoadedIds] = useState<string[]>(() => defaultLoaded(initial.versions));
  const [activeId, setActiveId] = useState<string | null>(() => defaultLoaded(initial.versions)[0] ?? null);
  const [loudnessMatched, setLoudnessMatched] = useState(true);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [selection, setSelection] = useState<TimeRange | null>(null);
  const [anchor, setAnchor] = useState<CommentAnchor | null>(null);
  const [loopEnabled, setLoopEnabled] = useState(false);
  const [zoom, setZoom] = useState(0);
  const [peaks, setPeaks] = useState<Record<string, WaveformPeaks>>({});
  const [tab, setTab] = useState<'charts' | 'settings' | 'compare'>('charts');
  const [settingsBaseId, setSettingsBaseId] = useState<string | null>(() => initial.versions.find((v) => v.kind === 'master')?.id ?? null);
  const [draft, setDraft] = useState<MasteringSettings | null>(() => initial.versions.find((v) => v.kind === 'master')?.settings ?? null);
  const [eqChannel, setEqChannel] = useState<EqChannel>('mid');
  const [busy, setBusy] = useState(false);
  const [ready, setReady] = useState(false);
  const audioHost = useRef<HTMLDivElement>(null);
  const [player, setPlayer] = useState<SyncedPlayer | null>(null);
  const canRender = RANK[review.role] >= RANK.engineer;
  const versionsById = useMemo(() => new Map(review.versions.map((v) => [v.id, v])), [review.versions]);
  const colors = useMemo(() => {
    const out: Record<string, string> = {};
    loadedIds.forEach((id, i) => (out[id] = SOURCE_COLORS[i % SOURCE_COLORS.length]));
    return out;
  }, [loadedIds]);

  // ---- data -------------------------------------------------------------------------------------------------------
  // The newest state of each render as the socket reported it. A refetch started before a job's last event can answer
  // after it (the worker writes the new version before it marks the job completed), so a job the socket already saw
  // finish must not come back from that stale answer as a progress bar stuck at 95 %.
  const liveJobs = useRef(new Map<string, MasterJobView>());
  const mergeJobs = useCallback((fromServer: MasterJobView[]) => {
    const out: MasterJobView[] = [];
    for (const job of fromServer) {
      const live = liveJobs.current.get(job.jobId);
      if (live?.state === 'completed') continue;
      out.push(live && (live.state === 'failed' || live.progress >= job.progress) ? live : job);
    }
    return out;
  }, []);

  const refresh = useCallback(async () => {
    const next = await api<TrackReviewData>(`/api/tracks/${review.id}/review`);
    setReview(next);
    setJobs(mergeJobs(next.masterJobs));
    return next;
  }, [review.id, mergeJobs]);

  const onAssetCreated = useCallback(
    async (p: { asset: { id: string; trackId: string; kind: string } }) => {
      if (p.asset.trackId !== review.id) return;
      const next = await refresh();
      const added = next.versions.find((v) => v.id === p.asset.id);
      // A new master is what everyone wants to hear next: put it into the player (without switching to it).
      if (added?.kind === 'master' && added.status === 'ready') {
        setLoadedIds((ids) => (ids.includes(added.id) ? ids : [...ids, added.id].slice(-MAX_LOADED)));
        setSettingsBaseId((id) => id ?? added.id);
      }
    },
    [refresh, review.id],
  );

  useReviewEvents({
    // Versions and renders that changed during a network drop come with the refetch, not as missed events.
    [RECONNECTED]: () => void refresh().catch(() => undefined),
    'asset:created': (p) => void onAssetCreated(p as never),
    'asset:updated': (p) => {
      if ((p as { trackId?: string }).trackId === review.id) void refresh();
    },
    'job:progress': (raw) => {
      const p = raw as { jobId: string; trackId?: string | null; type: string; state: string; progress: number; step?: string | null; error?: string | null };
      if (p.trackId !== review.id || p.type !== 'master') return;
      const view: MasterJobView = { jobId: p.jobId, state: p.state, progress: p.progress, step: p.step ?? null, error: p.error ?? null, createdAt: new Date().toISOString() };
      liveJobs.current.set(p.jobId, view);
      setJobs((list) => {
        const rest = list.filter((j) => j.jobId !== p.jobId);
        if (p.state === 'completed') return rest;
        return [view, ...rest];
      });
    },
  });

  // ---- player -----------------------------------------------------------------------------------------------------
  useEffect(() => {
    const p = new SyncedPlayer(audioHost.current!);
    setPlayer(p);
    const onTime = () => setTime(p.currentTime);
    const onPlay = () => setPlaying(true);
    const onPause = () => setPlaying(false);
    let last = 0;
    const throttled = () => {
      const now = performance.now();
      if (now - last > 90) {
        last = now;
        onTime();
      }
    };
    p.addEventListener('timeupdate', throttled);
    p.addEventListener('seeked', onTime);
    p.addEventListener('play', onPlay);
    p.addEventListener('pause', onPause);
    return () => p.destroy();
  }, []);

  const loadedSources = useMemo(
    () =>
      loadedIds
        .map((id) => versionsById.get(id))
        .filter((v): v is VersionView => Boolean(v)),
    [loadedIds, versionsById],
  );

  useEffect(() => {
    if (!player) return;
    player.setSources(loadedSources.map((v) => ({ id: v.id, url: `/api/assets/${v.id}/file`, integratedLufs: v.measurements?.integratedLufs ?? null })));
    if (activeId && loadedSources.some((v) => v.id === activeId)) player.select(activeId);
    else if (loadedSources[0]) {
      player.select(loadedSources[0].id);
      setActiveId(loadedSources[0].id);
    }
  }, [player, loadedSources]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    player?.setLoudnessMatched(loudnessMatched);
  }, [player, loudnessMatched]);

  useEffect(() => {
    player?.setLoop(selection, loopEnabled);
  }, [player, selection, loopEnabled]);

  // Peaks for every loaded source (small JSON, cached forever by URL), so switching redraws at once.
  useEffect(() => {
    for (const v of loadedSources) {
      if (peaks[v.id] || !v.peaksVersion) continue;
      void fetch(`/api/assets/${v.id}/peaks?v=${v.peaksVersion}`)
        .then((r) => (r.ok ? r.json() : null))
        .then((json: WaveformPeaks | null) => {
          if (json) setPeaks((all) => ({ ...all, [v.id]: { duration: json.duration, peaks: json.peaks } }));
        });
    }
  }, [loadedSources]); // eslint-disable-line react-hooks/exhaustive-deps

  const activeVersion = activeId ? versionsById.get(activeId) ?? null : null;
  const activePeaks = activeId ? peaks[activeId] ?? null : null;
  useEffect(() => {
    if (player && activeVersion?.durationSeconds) player.setKnownDuration(activeVersion.durationSeconds);
  }, [player, activeVersion?.durationSeconds]);

  const select = useCallback(
    (id: string) => {
      if (player?.select(id)) setActiveId(id);
    },
    [player],
  );

  const seek = useCallback(
    (t: number) => {
      if (player) player.currentTime = t;
      setTime(t);
    },
    [player],
  );

  const toggleLoop = useCallback(() => {
    if (!player) return;
    if (!selection) {
      const start = player.currentTime;
      setSelection({ startSeconds: start, endSeconds: Math.min(player.duration || start + 4, start + 4) });
      setLoopEnabled(true);
      return;
    }
    setLoopEnabled((on) => !on);
  }, [player, selection]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!player || isTyping(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === ' ') {
        e.preventDefault();
        player.toggle();
      } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        const step = e.shiftKey ? 1 : 5;
        seek(Math.max(0, player.currentTime + (e.key === 'ArrowLeft' ? -step : step)));
      } else if (e.key === 'l' || e.key === 'L') {
        toggleLoop();
      } else if (/^[1-9]$/.test(e.key)) {
        const id = loadedIds[Number(e.key) - 1];
        if (id) select(id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [player, loadedIds, select, seek, toggleLoop]);

  const onCommentSeek = useCallback(
    (t: number, assetId: string) => {
      if (loadedIds.includes(assetId)) select(assetId);
      else if (versionsById.get(assetId)?.status === 'ready') {
        setLoadedIds((ids) => [...ids, assetId].slice(-MAX_LOADED));
        setActiveId(assetId);
      }
      seek(t);
      void player?.play();
    },
    [loadedIds, player, seek, select, versionsById],
  );

  // ---- markers ----------------------------------------------------------------------------------------------------
  const commentMarkers = useCommentMarkers();
  const markers = useMemo(
    () =>
      commentMarkers
        .filter((m) => m.assetId === activeId)
        .map((m) => ({ id: m.id, timeSeconds: m.timeSeconds, endSeconds: m.endSeconds, label: initials(m.author), title: `${m.author}: ${m.body}`, resolved: m.resolved })),
    [commentMarkers, activeId],
  );

  // ---- rendering --------------------------------------------------------------------------------------------------
  const render = useCallback(
    async (request: MasterRequest) => {
      setBusy(true);
      try {
        const { jobId } = await api<{ jobId: string }>(`/api/tracks/${review.id}/masters`, { method: 'POST', body: request });
        if (liveJobs.current.get(jobId)?.state === 'completed') return;
        setJobs((list) => (list.some((j) => j.jobId === jobId) ? list : [{ jobId, state: 'queued', progress: 0, step: null, error: null, createdAt: new Date().toISOString() }, ...list]));
      } finally {
        setBusy(false);
      }
    },
    [review.id],
  );

  const retry = useCallback(
    async (jobId: string) => {
      await api(`/api/tracks/${review.id}/masters/retry`, { method: 'POST', body: { jobId } });
    },
    [review.id],
  );

  const toggleLoaded = (id: string) =>
    setLoadedIds((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id].slice(-MAX_LOADED)));

  const matchGains = player ? player.matchGainsDb() : {};
  const selected = loadedSources;
  const settingsBase = settingsBaseId ? versionsById.get(settingsBaseId) ?? null : null;
  const masters = review.versions.filter((v) => v.kind === 'master');
  // The first master of a page opened before any existed: its settings become the editable draft.
  useEffect(() => {
    if (!draft && settingsBase?.settings) setDraft(structuredClone(settingsBase.settings));
  }, [settingsBase, draft]);
  const onReady = useCallback(() => {
    if (ready) return;
    setReady(true);
    // Navigation start -> waveform drawn and transport usable: the page's "interactive" figure.
    document.documentElement.dataset.playerReadyMs = String(Math.round(performance.now()));
  }, [ready]);

  return (
    <div className="stack track-review">
      <div className="spread">
        <div>
          <div className="subtle">
            <Link href="/projects">Projects</Link> / <Link href={`/projects/${review.projectId}`}>{review.projectName}</Link> /
          </div>
          <h1 data-testid="track-title">{review.title}</h1>
        </div>
        {slots?.header}
      </div>

      <div className="review-grid">
        <div className="stack review-main">
          <section className="panel stack player" data-testid="player" data-ready={ready ? 'true' : 'false'}>
            <div className="transport">
              <button type="button" className="play" onClick={() => player?.toggle()} disabled={!player || loadedSources.length === 0} aria-label={playing ? 'Pause' : 'Play'} data-testid="play">
                {playing ? '❚❚' : '▶'}
              </button>
              <span className="clock" data-testid="clock">
                {formatClock(time)} / {formatClock(activeVersion?.durationSeconds ?? 0)}
              </span>
              <div className="sources" role="group" aria-label="Sources">
                {loadedSources.map((v, i) => (
                  <button
                    key={v.id}
                    type="button"
                    className={`source ${v.id === activeId ? 'on' : ''}`}
                    style={{ borderColor: colors[v.id] }}
                    aria-pressed={v.id === activeId}
                    data-testid="source-button"
                    data-asset-id={v.id}
                    onClick={() => select(v.id)}
                  >
                    <kbd>{i + 1}</kbd> {v.label}
                  </button>
                ))}
              </div>
              <label className="inline match" title="Each source is turned down to the quietest one's integrated loudness, so louder never wins">
                <input type="checkbox" checked={loudnessMatched} onChange={(e) => setLoudnessMatched(e.target.checked)} data-testid="loudness-match" />
                Loudness-matched
              </label>
              <button type="button" className={loopEnabled ? 'on' : ''} onClick={toggleLoop} aria-pressed={loopEnabled} title="Loop the selection (L)">
                Loop
              </button>
              <label className="inline zoom">
                Zoom
                <input type="range" min={0} max={400} step={10} value={zoom} onChange={(e) => setZoom(Number(e.target.value))} aria-label="Zoom" />
              </label>
            </div>
            {player && (
              <Waveform
                player={player}
                peaks={activePeaks}
                zoomPxPerSecond={zoom}
                selection={selection}
                loopEnabled={loopEnabled}
                markers={markers}
                onSelection={(range) => {
                  setSelection(range);
                  if (range) setAnchor((a) => ({ startSeconds: range.startSeconds, endSeconds: range.endSeconds, seq: (a?.seq ?? 0) + 1 }));
                }}
                onClickTime={(t) => setAnchor((a) => ({ startSeconds: t, endSeconds: null, seq: (a?.seq ?? 0) + 1 }))}
                onMarkerClick={(id) => {
                  const m = commentMarkers.find((c) => c.id === id);
                  if (m) onCommentSeek(m.timeSeconds, m.assetId);
                }}
                onReady={onReady}
              />
            )}
            <div className="player-foot">
              <div className="subtle keys">
                Space play/pause · ←/→ 5 s (Shift 1 s) · 1–{Math.max(1, loadedSources.length)} switch source · click to comment there · drag to select · L loop
                {selection && (
                  <>
                    {' '}
                    · selection {formatClock(selection.startSeconds)}–{formatClock(selection.endSeconds)}{' '}
                    <button type="button" className="link" onClick={() => (setSelection(null), setLoopEnabled(false))}>
                      clear
                    </button>
                  </>
                )}
              </div>
              {player && <LiveMeter player={player} playing={playing} sourceLabel={activeVersion?.label ?? null} />}
            </div>
            <div ref={audioHost} hidden data-testid="audio-sources" />
          </section>

          <section className="panel">
            <div className="tabs" role="tablist">
              {(['charts', 'settings', 'compare'] as const).map((t) => (
                <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'on' : ''} onClick={() => setTab(t)}>
                  {t === 'charts' ? 'Charts' : t === 'settings' ? 'Settings' : 'Compare versions'}
                </button>
              ))}
            </div>
            {tab === 'charts' && (
              <div className="stack">
                <MeterPanel
                  loudnessMatched={loudnessMatched}
                  rows={selected.map((v) => ({ id: v.id, label: v.label, color: colors[v.id], measurements: v.measurements, matchGainDb: matchGains[v.id] ?? null, active: v.id === activeId }))}
                />
                <TonalBalanceChart series={selected.filter((v) => v.tonal).map((v) => ({ id: v.id, label: v.label, color: colors[v.id], tonal: v.tonal! }))} />
                <LoudnessChart
                  series={selected.filter((v) => v.loudnessCurve).map((v) => ({ id: v.id, label: v.label, color: colors[v.id], curve: v.loudnessCurve! }))}
                  durationSeconds={activeVersion?.durationSeconds ?? 0}
                  currentTimeSeconds={time}
                  onSeek={seek}
                />
              </div>
            )}
            {tab === 'settings' && (
              <div className="stack">
                {masters.length > 0 && (
                  <label className="inline">
                    Settings of{' '}
                    <select
                      value={settingsBaseId ?? ''}
                      onChange={(e) => {
                        setSettingsBaseId(e.target.value);
                        setDraft(versionsById.get(e.target.value)?.settings ?? null);
                      }}
                      aria-label="Master version whose settings to edit"
                    >
                      {masters.map((m) => (
                        <option key={m.id} value={m.id}>
                          {m.label}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
                {draft && (
                  <TonalBalanceChart
                    series={selected.filter((v) => v.tonal).map((v) => ({ id: v.id, label: v.label, color: colors[v.id], tonal: v.tonal! }))}
                    eq={eqOverlayOf(draft, eqChannel)}
                    channel={eqChannel}
                    onChannelChange={setEqChannel}
                    onBandDrag={
                      canRender
                        ? (i, band) => {
                            const next = structuredClone(draft);
                            next.eq.mode = 'bands';
                            const bands = next.eq.bands[eqChannel];
                            bands[i] = { ...bands[i], frequencyHz: Math.max(10, Math.min(24000, band.frequencyHz)), gainDb: Math.max(-24, Math.min(24, band.gainDb)) };
                            setDraft(next);
                          }
                        : undefined
                    }
                  />
                )}
                <SettingsPanel
                  key={settingsBaseId ?? 'none'}
                  versions={review.versions}
                  base={settingsBase}
                  canRender={canRender}
                  busy={busy || jobs.some((j) => j.state === 'queued' || j.state === 'active')}
                  draft={draft}
                  onDraftChange={setDraft}
                  onRender={render}
                  eqChannel={eqChannel}
                  onEqChannelChange={setEqChannel}
                />
              </div>
            )}
            {tab === 'compare' && <VersionCompare versions={review.versions} />}
          </section>

          {/* The slot brings its own panel (the guest page uses the same component on its own). */}
          {slots?.comments?.({
            versions: review.versions.filter((v) => v.kind !== 'reference').map((v) => ({ id: v.id, label: v.label })),
            currentAssetId: activeVersion && activeVersion.kind !== 'reference' ? activeVersion.id : null,
            currentTimeSeconds: time,
            anchor,
            onSeek: onCommentSeek,
          })}
        </div>

        <aside className="stack review-side">
          <section className="panel">
            <h2>Versions</h2>
            <VersionStack
              versions={review.versions}
              loadedIds={loadedIds}
              activeId={activeId}
              colors={colors}
              masterJobs={jobs}
              canRender={canRender}
              onToggleLoaded={toggleLoaded}
              onSelect={select}
              onSeek={seek}
              onRetry={(jobId) => void retry(jobId)}
              masterExtras={slots?.masterExtras}
            />
          </section>
          {slots?.side}
        </aside>
      </div>
    </div>
  );
}
