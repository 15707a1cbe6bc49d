/**
 * Vorbis comment packet body (as used in FLAC's VORBIS_COMMENT block): little-endian lengths, UTF-8 `KEY=value`
 * entries, field names per the Xiph recommendations that ffmpeg, foobar2000 and taggers read.
 */
import { ENCODER_NAME, type TrackMetadata } from '../metadata';

export function vorbisCommentFields(m: TrackMetadata): [string, string][] {
  const fields: [string, string][] = [];
  if (m.title) fields.push(['TITLE', m.title]);
  if (m.artist) fields.push(['ARTIST', m.artist]);
  if (m.album) fields.push(['ALBUM', m.album]);
  if (m.trackNumber !== undefined) fields.push(['TRACKNUMBER', String(m.trackNumber)]);
  if (m.trackTotal !== undefined) fields.push(['TRACKTOTAL', String(m.trackTotal)]);
  if (m.year !== undefined) fields.push(['DATE', String(m.year)]);
  if (m.isrc) fields.push(['ISRC', m.isrc]);
  if (m.comment) fields.push(['COMMENT', m.comment]);
  fields.push(['ENCODER', ENCODER_NAME]);
  return fields;
}

export function buildVorbisComment(m: TrackMetadata, vendor: string): Uint8Array {
  const utf8 = new TextEncoder();
  const vendorBytes = utf8.encode(vendor);
  const entries = vorbisCommentFields(m).map(([k, v]) => utf8.encode(`${k}=${v}`));
  const size = 4 + vendorBytes.length + 4 + entries.reduce((s, e) => s + 4 + e.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let p = 0;
  view.setUint32(p, vendorBytes.length, true);
  out.set(vendorBytes, p + 4);
  p += 4 + vendorBytes.length;
  view.setUint32(p, entries.length, true);
  p += 4;
  for (const e of entries) {
    view.setUint32(p, e.length, true);
    out.set(e, p + 4);
    p += 4 + e.length;
  }
  return out;
}
