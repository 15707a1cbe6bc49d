/**
 * Instant A/B between several recordings of the same song. Every source is its own <audio> element (Range-streamed,
 * so playback starts before the download ends and nothing already buffered is fetched again), all routed through
 * GainNodes of ONE AudioContext and all playing together in sync. Switching is a gain change ramped over a few
 * milliseconds: no gap, no restart, no seek. Inactive sources are pulled back to the active one's clock whenever they
 * drift, which is inaudible because they are silent.
 *
 * The class also looks enough like an HTMLMediaElement (currentTime, duration, paused, play/pause, media events) for
 * wavesurfer.js to use it as its `media`: the waveform cursor, click-to-seek and regions then drive all sources.
 */
import { kWeightingCoefficients, type Biquad } from '@/lib/audio/kWeighting';

export interface PlayerSource {
  id: string;
  url: string;
  /** Integrated loudness from the analysis; null = unknown (not compensated). */
  integratedLufs: number | null;
}

interface SourceState {
  source: PlayerSource;
  element: HTMLAudioElement;
  node: MediaElementAudioSourceNode | null;
  gain: GainNode | null;
}

/** Inactive sources further than this from the active one are re-seeked (a muted seek is inaudible). */
const MAX_DRIFT_SECONDS = 0.03;
const SWITCH_RAMP_SECONDS = 0.006;
const DRIFT_CHECK_MS = 250;
/** BS.1770 momentary window, and the short-term one built from momentary readings. */
const MOMENTARY_SECONDS = 0.4;
const SHORT_TERM_SECONDS = 3;

/** What the live meter shows: the audible source's own level (the loudness-match gain taken back out). */
export interface MeterReading {
  momentaryLufs: number;
  shortTermLufs: number;
  /** Sample peak per channel since the previous reading, dBFS. */
  peakDb: number[];
}

/** The output taps of the meter: K-weighted (loudness) and plain (peaks) per channel. */
interface MeterTaps {
  weighted: AnalyserNode[];
  plain: AnalyserNode[];
  weightedBuf: Float32Array<ArrayBuffer>;
  plainBuf: Float32Array<ArrayBuffer>;
  history: { at: number; meanSquare: number }[];
}

export class SyncedPlayer extends EventTarget {
  private readonly sources = new Map<string, SourceState>();
  private context: AudioContext | null = null;
  /** Every source's gain node feeds this bus; the bus feeds the speakers and the meter. */
  private bus: GainNode | null = null;
  private meter: MeterTaps | null = null;
  private activeId: string | null = null;
  private playing = false;
  private driftTimer: ReturnType<typeof setInterval> | null = null;
  private tickHandle: number | null = null;
  private knownDuration = 0;
  private loudnessMatched = true;
  private loop: { startSeconds: number; endSeconds: number } | null = null;
  private loopEnabled = false;
  /** Parent for the hidden <audio> elements, so tests and devtools can see them. */
  constructor(private readonly container: HTMLElement) {
    super();
  }

  // ---- sources -------------------------------------------------------------------------------------------------

  setSources(list: PlayerSource[]): void {
    const wanted = new Set(list.map((s) => s.id));
    for (const [id, state] of this.sources) {
      if (wanted.has(id)) continue;
      state.element.pause();
      state.node?.disconnect();
      state.gain?.disconnect();
      state.element.removeAttribute('src');
      state.element.load();
      state.element.remove();
      this.sources.delete(id);
    }
    for (const source of list) {
      const existing = this.sources.get(source.id);
      if (existing) {
        existing.source = source;
        continue;
      }
      const element = document.createElement('audio');
      element.preload = 'auto';
      element.src = source.url;
      element.dataset.sourceId = source.id;
      element.addEventListener('loadedmetadata', () => this.onSourceMetadata());
      // One source running out (a shorter reference) is not the end: the longest one is.
      element.addEventListener('ended', () => {
        if (this.clock()?.element === element) this.onClockEnded();
      });
      this.container.appendChild(element);
      const state: SourceState = { source, element, node: null, gain: null };
      this.sources.set(source.id, state);
      if (this.context) this.connect(state);
    }
    if (!this.activeId || !this.sources.has(this.activeId)) this.activeId = list[0]?.id ?? null;
    this.applyGains(0);
    this.markActive();
    if (this.playing) void this.startAll();
  }

  get activeSourceId(): string | null {
    return this.activeId;
  }

  /** Makes `id` audible at the current playhead. Returns false for an unknown id. */
  select(id: string): boolean {
    const next = this.sources.get(id);
    if (!next || id === this.activeId) return Boolean(next);
    if (this.active()) {
      const t = this.currentTime;
      // Only a source that drifted (or has not started) is moved; a seek on an in-sync element would stall it.
      // Past the end of a shorter source it stays silent there, and the time runs on: no jump, no stop.
      if (!this.endsBefore(next, t)) {
        if (Math.abs(next.element.currentTime - t) > MAX_DRIFT_SECONDS) next.element.currentTime = t;
        if (this.playing && next.element.paused) void next.element.play().catch(() => undefined);
      }
    }
    this.activeId = id;
    this.resetMeterHistory();
    this.applyGains(SWITCH_RAMP_SECONDS);
    this.markActive();
    this.emit('sourcechange');
    this.emit('durationchange');
    return true;
  }

  setLoudnessMatched(on: boolean): void {
    this.loudnessMatched = on;
    this.applyGains(SWITCH_RAMP_SECONDS);
  }

  /** Gain (dB) that brings each source to the quietest source's loudness, so no source ever gets boosted. */
  matchGainsDb(): Record<string, number> {
    const known = [...this.sources.values()].map((s) => s.source.integratedLufs).filter((v): v is number => v !== null && Number.isFinite(v));
    const reference = known.length ? Math.min(...known) : 0;
    const out: Record<string, number> = {};
    for (const [id, s] of this.sources) out[id] = s.source.integratedLufs === null ? 0 : reference - s.source.integratedLufs;
    return out;
  }

  setLoop(range: { startSeconds: number; endSeconds: number } | null, enabled = this.loopEnabled): void {
    this.loop = range && range.endSeconds - range.startSeconds > 0.05 ? range : null;
    this.loopEnabled = enabled && this.loop !== null;
    this.emit('loopchange');
  }

  get loopState(): { range: { startSeconds: number; endSeconds: number } | null; enabled: boolean } {
    return { range: this.loop, enabled: this.loopEnabled };
  }

  setKnownDuration(seconds: number): void {
    this.knownDuration = seconds;
    this.emit('durationchange');
  }

  // ---- the media-element surface (used by wavesurfer and the UI) -------------------------------------------------

  readonly readyState = 4;
  readonly seeking = false;
  readonly error = null;
  volume = 1;
  muted = false;
  playbackRate = 1;
  preservesPitch = true;
  controls = false;
  autoplay = false;
  readonly src = '';
  readonly currentSrc = '';

  get currentTime(): number {
    return this.clock()?.element.currentTime ?? 0;
  }

  set currentTime(seconds: number) {
    const t = Math.max(0, Math.min(seconds, this.longestDuration() || seconds));
    this.emit('seeking');
    this.resetMeterHistory();
    for (const s of this.sources.values()) s.element.currentTime = t;
    // A seek back from past a shorter source's end brings that source (ended, so paused) back in.
    if (this.playing) void this.startAll();
    this.emit('timeupdate');
    this.emit('seeked');
  }

  get duration(): number {
    const d = this.active()?.element.duration;
    return d && Number.isFinite(d) ? d : this.knownDuration;
  }

  get paused(): boolean {
    return !this.playing;
  }

  get ended(): boolean {
    const c = this.clock();
    return c ? c.element.ended : false;
  }

  async play(): Promise<void> {
    if (this.sources.size === 0) return;
    this.ensureContext();
    await this.context!.resume().catch(() => undefined);
    this.playing = true;
    const t = this.currentTime;
    for (const s of this.sources.values()) if (Math.abs(s.element.currentTime - t) > MAX_DRIFT_SECONDS) s.element.currentTime = t;
    await this.startAll();
    this.startTimers();
    this.emit('play');
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    for (const s of this.sources.values()) s.element.pause();
    this.stopTimers();
    const t = this.currentTime;
    for (const s of this.sources.values()) if (s.element !== this.clock()?.element) s.element.currentTime = t;
    this.emit('pause');
    this.emit('timeupdate');
  }

  toggle(): void {
    if (this.playing) this.pause();
    else void this.play();
  }

  load(): void {}
  remove(): void {}
  removeAttribute(): void {}
  canPlayType(): string {
    return '';
  }

  /** Per-source positions and buffered ranges, for the page's diagnostics and the browser tests. */
  snapshot(): { id: string; currentTime: number; bufferedSeconds: number; active: boolean }[] {
    return [...this.sources.values()].map((s) => {
      let buffered = 0;
      for (let i = 0; i < s.element.buffered.length; i++) buffered += s.element.buffered.end(i) - s.element.buffered.start(i);
      return { id: s.source.id, currentTime: s.element.currentTime, bufferedSeconds: buffered, active: s.source.id === this.activeId };
    });
  }

  destroy(): void {
    this.pause();
    this.setSources([]);
    void this.context?.close().catch(() => undefined);
    this.context = null;
    this.bus = null;
    this.meter = null;
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  private emit(type: string): void {
    this.dispatchEvent(new Event(type));
  }

  private active(): SourceState | undefined {
    return this.activeId ? this.sources.get(this.activeId) : undefined;
  }

  /** Whether `s` has no audio at `t` (a reference shorter than the mix, past its end). */
  private endsBefore(s: SourceState, t: number): boolean {
    const d = s.element.duration;
    return Number.isFinite(d) && t >= d - 0.02;
  }

  private longestDuration(): number {
    let longest = 0;
    for (const s of this.sources.values()) if (Number.isFinite(s.element.duration)) longest = Math.max(longest, s.element.duration);
    return longest || this.knownDuration;
  }

  /**
   * The element that keeps time: the audible one, unless it has run out (a shorter reference past its end); then
   * the longest source, which plays on muted so the playhead keeps moving and a switch back lands where it should.
   */
  private clock(): SourceState | undefined {
    const a = this.active();
    if (!a || !(a.element.ended || this.endsBefore(a, a.element.currentTime))) return a;
    let longest: SourceState = a;
    for (const s of this.sources.values()) if ((s.element.duration || 0) > (longest.element.duration || 0)) longest = s;
    return longest;
  }

  private ensureContext(): void {
    if (this.context) return;
    this.context = new AudioContext({ latencyHint: 'interactive' });
    this.bus = this.context.createGain();
    this.bus.connect(this.context.destination);
    this.meter = this.createMeter(this.context, this.bus);
    for (const s of this.sources.values()) this.connect(s);
    this.applyGains(0);
  }

  private connect(state: SourceState): void {
    const ctx = this.context!;
    state.node = ctx.createMediaElementSource(state.element);
    state.gain = ctx.createGain();
    state.gain.gain.value = 0;
    state.node.connect(state.gain).connect(this.bus!);
  }

  /**
   * BS.1770 K-weighting with the analysis meter's own coefficients at the context's rate (lib/audio/kWeighting.ts, as
   * IIR filter nodes), then one analyser per channel. The plain taps read sample peaks.
   */
  private createMeter(ctx: AudioContext, bus: GainNode): MeterTaps {
    const k = kWeightingCoefficients(ctx.sampleRate);
    const iir = (q: Biquad) => ctx.createIIRFilter([q.b0, q.b1, q.b2], [1, q.a1, q.a2]);
    const shelf = iir(k.shelf);
    const highPass = iir(k.highPass);
    const weightedSplit = ctx.createChannelSplitter(2);
    const plainSplit = ctx.createChannelSplitter(2);
    bus.connect(shelf).connect(highPass).connect(weightedSplit);
    bus.connect(plainSplit);
    const weighted = [0, 1].map((ch) => {
      const a = ctx.createAnalyser();
      a.fftSize = 32768;
      weightedSplit.connect(a, ch);
      return a;
    });
    const plain = [0, 1].map((ch) => {
      const a = ctx.createAnalyser();
      a.fftSize = 4096;
      plainSplit.connect(a, ch);
      return a;
    });
    return { weighted, plain, weightedBuf: new Float32Array(32768), plainBuf: new Float32Array(4096), history: [] };
  }

  /** The live meter, read on demand (the UI polls it while playing); null before the first play. */
  readMeter(): MeterReading | null {
    const ctx = this.context;
    const m = this.meter;
    if (!ctx || !m) return null;
    const n = Math.min(m.weightedBuf.length, Math.round(MOMENTARY_SECONDS * ctx.sampleRate));
    let meanSquare = 0;
    for (const a of m.weighted) {
      a.getFloatTimeDomainData(m.weightedBuf);
      let sum = 0;
      for (let i = m.weightedBuf.length - n; i < m.weightedBuf.length; i++) sum += m.weightedBuf[i] * m.weightedBuf[i];
      meanSquare += sum / n;
    }
    const peakDb = m.plain.map((a) => {
      a.getFloatTimeDomainData(m.plainBuf);
      let peak = 0;
      for (let i = 0; i < m.plainBuf.length; i++) peak = Math.max(peak, Math.abs(m.plainBuf[i]));
      return 20 * Math.log10(peak);
    });
    const now = ctx.currentTime;
    m.history.push({ at: now, meanSquare });
    while (m.history.length && m.history[0].at < now - SHORT_TERM_SECONDS) m.history.shift();
    const shortTerm = m.history.reduce((sum, h) => sum + h.meanSquare, 0) / m.history.length;
    // Back to the source's own level: undo the gain the loudness match applies to the audible source.
    const matchDb = this.activeId && this.loudnessMatched ? (this.matchGainsDb()[this.activeId] ?? 0) : 0;
    return {
      momentaryLufs: -0.691 + 10 * Math.log10(meanSquare) - matchDb,
      shortTermLufs: -0.691 + 10 * Math.log10(shortTerm) - matchDb,
      peakDb: peakDb.map((p) => p - matchDb),
    };
  }

  /** A switch or a seek starts a new short-term window (it would otherwise mix two sources or two places). */
  private resetMeterHistory(): void {
    if (this.meter) this.meter.history = [];
  }

  private targetGain(id: string): number {
    if (id !== this.activeId) return 0;
    if (!this.loudnessMatched) return 1;
    return 10 ** ((this.matchGainsDb()[id] ?? 0) / 20);
  }

  private applyGains(rampSeconds: number): void {
    const ctx = this.context;
    for (const [id, s] of this.sources) {
      const target = this.targetGain(id);
      if (!ctx || !s.gain) continue;
      const now = ctx.currentTime;
      const g = s.gain.gain;
      g.cancelScheduledValues(now);
      if (rampSeconds <= 0) {
        g.setValueAtTime(target, now);
      } else {
        g.setValueAtTime(g.value, now);
        g.linearRampToValueAtTime(target, now + rampSeconds);
      }
    }
  }

  private markActive(): void {
    for (const [id, s] of this.sources) s.element.dataset.active = String(id === this.activeId);
  }

  private async startAll(): Promise<void> {
    // (play() on a source already past its end would restart it from 0.)
    const t = this.currentTime;
    await Promise.all([...this.sources.values()].map((s) => (s.element.paused && !this.endsBefore(s, t) ? s.element.play().catch(() => undefined) : undefined)));
  }

  private startTimers(): void {
    this.stopTimers();
    this.driftTimer = setInterval(() => this.correctDrift(), DRIFT_CHECK_MS);
    const tick = () => {
      this.checkLoop();
      this.emit('timeupdate');
      this.tickHandle = requestAnimationFrame(tick);
    };
    this.tickHandle = requestAnimationFrame(tick);
  }

  private stopTimers(): void {
    if (this.driftTimer) clearInterval(this.driftTimer);
    this.driftTimer = null;
    if (this.tickHandle !== null) cancelAnimationFrame(this.tickHandle);
    this.tickHandle = null;
  }

  private correctDrift(): void {
    const a = this.clock();
    if (!a || !this.playing) return;
    const t = a.element.currentTime;
    for (const s of this.sources.values()) {
      if (s === a) continue;
      const duration = s.element.duration;
      if (Number.isFinite(duration) && t >= duration) continue;
      if (Math.abs(s.element.currentTime - t) > MAX_DRIFT_SECONDS) s.element.currentTime = t;
      if (s.element.paused && !(Number.isFinite(duration) && t >= duration)) void s.element.play().catch(() => undefined);
    }
  }

  private checkLoop(): void {
    if (!this.loopEnabled || !this.loop) return;
    if (this.currentTime >= this.loop.endSeconds) this.currentTime = this.loop.startSeconds;
  }

  private onSourceMetadata(): void {
    this.emit('loadedmetadata');
    this.emit('durationchange');
  }

  private onClockEnded(): void {
    if (this.loopEnabled && this.loop) {
      this.currentTime = this.loop.startSeconds;
      return;
    }
    this.playing = false;
    this.stopTimers();
    for (const s of this.sources.values()) s.element.pause();
    this.emit('pause');
    this.emit('ended');
  }
}
