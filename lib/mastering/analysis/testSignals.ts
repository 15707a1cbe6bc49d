/** Deterministic synthetic signals shared by the analysis tests (no audio files in the repository). */

export function seededRandom(seed = 12345): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // xorshift32: fast, deterministic, good enough for test noise
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

export function whiteNoise(length: number, amplitude: number, seed?: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (random() * 2 - 1) * amplitude;
  return out;
}

/** Paul Kellett's refined pink filter: within ±0.05 dB of -3 dB/octave above ~10 Hz at 44.1 kHz. */
export function pinkNoise(length: number, amplitude: number, seed?: number): Float32Array {
  const white = whiteNoise(length, 1, seed);
  const out = new Float32Array(length);
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  for (let i = 0; i < length; i++) {
    const w = white[i];
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    out[i] = (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362) * 0.11 * amplitude;
    b6 = w * 0.115926;
  }
  return out;
}

export function sine(length: number, sampleRate: number, frequencyHz: number, amplitude: number, phase = 0): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate + phase);
  return out;
}

/** Minimal 16-bit PCM WAV writer for CLI tests. */
export function wav16(channels: Float32Array[], sampleRate: number): Uint8Array {
  const frames = channels[0].length;
  const dataBytes = frames * channels.length * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels.length * 2, true);
  view.setUint16(32, channels.length * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  let offset = 44;
  for (let i = 0; i < frames; i++) {
    for (const channel of channels) {
      view.setInt16(offset, Math.max(-32768, Math.min(32767, Math.round(channel[i] * 32767))), true);
      offset += 2;
    }
  }
  return bytes;
}
