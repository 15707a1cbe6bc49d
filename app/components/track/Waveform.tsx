'use client';

import { useEffect, useRef } from 'react';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin, { type Region } from 'wavesurfer.js/dist/plugins/regions.esm.js';
import type { SyncedPlayer } from './syncedPlayer';

export interface WaveformPeaks {
  duration: number;
  peaks: number[][];
}

export interface WaveformMarker {
  id: string;
  timeSeconds: number;
  endSeconds?: number | null;
  label: string;
  /** Hover text: the comment itself. */
  title?: string;
  resolved?: boolean;
}

export interface TimeRange {
  startSeconds: number;
  endSeconds: number;
}

const SELECTION_COLOR = 'rgba(120, 170, 255, 0.18)';
const LOOP_COLOR = 'rgba(255, 190, 90, 0.22)';

/**
 * The waveform of the audible source, drawn from server-computed peaks (the audio is never decoded here). wavesurfer
 * uses the SyncedPlayer as its media, so its cursor and click-to-seek follow and drive every source at once. Dragging
 * makes a selection (the loop range, and the range a comment is about); comment markers are drawn as thin regions.
 */
export function Waveform(props: {
  player: SyncedPlayer;
  peaks: WaveformPeaks | null;
  zoomPxPerSecond: number;
  selection: TimeRange | null;
  loopEnabled: boolean;
  markers: WaveformMarker[];
  onSelection: (range: TimeRange | null) => void;
  onMarkerClick?: (id: string) => void;
  /** A plain click (not a drag) on the waveform, at this time: where the next comment goes. */
  onClickTime?: (timeSeconds: number) => void;
  onReady?: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const ws = useRef<WaveSurfer | null>(null);
  const regions = useRef<ReturnType<typeof RegionsPlugin.create> | null>(null);
  const selectionRegion = useRef<Region | null>(null);
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    const regionsPlugin = RegionsPlugin.create();
    const instance = WaveSurfer.create({
      container: host.current!,
      media: props.player as unknown as HTMLMediaElement,
      height: 128,
      waveColor: '#5b6b8c',
      progressColor: '#9fc1ff',
      cursorColor: '#ffffff',
      cursorWidth: 2,
      barWidth: 0,
      normalize: false,
      interact: true,
      dragToSeek: false,
      autoScroll: true,
      autoCenter: true,
      plugins: [regionsPlugin],
    });
    ws.current = instance;
    regions.current = regionsPlugin;
    regionsPlugin.enableDragSelection({ color: SELECTION_COLOR }, 4);
    regionsPlugin.on('region-created', (region) => {
      if (region.id.startsWith('marker-')) return;
      if (selectionRegion.current && selectionRegion.current !== region) selectionRegion.current.remove();
      selectionRegion.current = region;
      callbacks.current.onSelection({ startSeconds: region.start, endSeconds: region.end });
    });
    regionsPlugin.on('region-updated', (region) => {
      if (region === selectionRegion.current) callbacks.current.onSelection({ startSeconds: region.start, endSeconds: region.end });
    });
    regionsPlugin.on('region-clicked', (region, event) => {
      if (!region.id.startsWith('marker-')) return;
      event.stopPropagation();
      callbacks.current.onMarkerClick?.(region.id.slice('marker-'.length));
    });
    // wavesurfer seeks on the click itself; a drag selection swallows its click, so this is a click only.
    instance.on('click', (relativeX) => callbacks.current.onClickTime?.(relativeX * instance.getDuration()));
    instance.on('ready', () => callbacks.current.onReady?.());
    return () => {
      instance.destroy();
      ws.current = null;
      regions.current = null;
      selectionRegion.current = null;
    };
    // The player lives as long as the page; one wavesurfer per player.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.player]);

  useEffect(() => {
    const instance = ws.current;
    if (!instance || !props.peaks) return;
    instance.load('', props.peaks.peaks, props.peaks.duration).then(
      () => {
        if (props.zoomPxPerSecond > 0) instance.zoom(props.zoomPxPerSecond);
      },
      () => undefined,
    );
  }, [props.peaks]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const instance = ws.current;
    if (!instance || !instance.getDecodedData()) return;
    instance.zoom(props.zoomPxPerSecond);
  }, [props.zoomPxPerSecond]);

  // Selection cleared or set from outside (keyboard, comment click).
  useEffect(() => {
    const plugin = regions.current;
    if (!plugin) return;
    const current = selectionRegion.current;
    if (!props.selection) {
      current?.remove();
      selectionRegion.current = null;
      return;
    }
    if (current && Math.abs(current.start - props.selection.startSeconds) < 1e-3 && Math.abs(current.end - props.selection.endSeconds) < 1e-3) {
      current.setOptions({ color: props.loopEnabled ? LOOP_COLOR : SELECTION_COLOR });
      return;
    }
    current?.remove();
    selectionRegion.current = plugin.addRegion({
      id: 'selection',
      start: props.selection.startSeconds,
      end: props.selection.endSeconds,
      color: props.loopEnabled ? LOOP_COLOR : SELECTION_COLOR,
    });
  }, [props.selection, props.loopEnabled, props.peaks]);

  useEffect(() => {
    const plugin = regions.current;
    if (!plugin) return;
    for (const region of plugin.getRegions()) if (region.id.startsWith('marker-')) region.remove();
    for (const marker of props.markers) {
      const content = document.createElement('span');
      content.className = 'wave-marker-label';
      // wavesurfer draws inside a shadow root, out of reach of the page's stylesheet: style the label inline.
      Object.assign(content.style, {
        fontSize: '10px',
        lineHeight: '14px',
        color: '#fff',
        background: marker.resolved ? 'rgba(110, 110, 110, 0.9)' : 'rgba(214, 70, 120, 0.92)',
        borderRadius: '0 4px 4px 0',
        padding: '0 5px',
        whiteSpace: 'nowrap',
        cursor: 'pointer',
        display: 'inline-block',
      });
      content.textContent = marker.label;
      content.dataset.commentId = marker.id;
      if (marker.title) content.title = marker.title;
      plugin.addRegion({
        id: `marker-${marker.id}`,
        start: marker.timeSeconds,
        end: marker.endSeconds && marker.endSeconds > marker.timeSeconds ? marker.endSeconds : undefined,
        content,
        color: marker.resolved ? 'rgba(140, 140, 140, 0.5)' : 'rgba(255, 120, 160, 0.8)',
        drag: false,
        resize: false,
      });
    }
  }, [props.markers, props.peaks]);

  return <div ref={host} className="waveform" data-testid="waveform" />;
}
