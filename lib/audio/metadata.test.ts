import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIsrc, normalizeIsrc, trackMetadataSchema } from './metadata';

test('ISRC accepted with or without hyphens and normalised to 12 upper-case characters', () => {
  assert.equal(normalizeIsrc('US-S1Z-99-00001'), 'USS1Z9900001');
  assert.equal(normalizeIsrc('uss1z9900001'), 'USS1Z9900001');
  assert.equal(normalizeIsrc(' GB-AAA-25-12345 '), 'GBAAA2512345');
  assert.equal(formatIsrc('gbaaa2512345'), 'GB-AAA-25-12345');
});

test('malformed ISRCs are rejected', () => {
  for (const bad of [
    '',
    'USS1Z990000', // 11 chars
    'USS1Z99000011', // 13 chars
    '1SS1Z9900001', // digit in country
    'USS1ZA900001', // letter in year
    'USS1Z99A0001', // letter in designation
    'US-S1Z9900001', // partial hyphenation
    'US-S1Z-99-0000-1',
    'US_S1Z_99_00001',
    'US-S!Z-99-00001',
  ]) {
    assert.equal(normalizeIsrc(bad), null, bad);
    assert.equal(trackMetadataSchema.safeParse({ isrc: bad }).success, false, bad);
  }
});

test('schema normalises the ISRC and validates the other fields', () => {
  const parsed = trackMetadataSchema.parse({ title: 'Song', isrc: 'us-s1z-99-00001', trackNumber: 3, year: 2026 });
  assert.equal(parsed.isrc, 'USS1Z9900001');
  assert.equal(trackMetadataSchema.safeParse({ trackNumber: 0 }).success, false);
  assert.equal(trackMetadataSchema.safeParse({ year: 26 }).success, false);
  assert.equal(trackMetadataSchema.safeParse({ title: '' }).success, false);
  assert.deepEqual(trackMetadataSchema.parse({}), {});
});
